"""A pipeline that fetches its tuned config from PromptLooper at start-up.

    PROMPTLOOPER_API_KEY=plk_... python examples/fetch_deployment.py \
        demo entity-extraction production \
        --input '{"passage": "Ada Lovelace met Charles Babbage in London."}'

It asks ``GET /api/deployments/<project>/<experiment>/<label>/`` for what was
promoted to the label (per stage: the endpoint's base URL, the model, the
params and the prompt's messages, as Jinja2 templates), renders each stage's
messages with the input, sends them to the endpoint (an OpenAI-compatible
``/chat/completions``) and hands the output to the next stage as
``stages.<name>.output`` (and ``.json``), as PromptLooper's sweeps did. It
prints the last stage's output; ``--dry-run`` prints the first stage's
messages instead, without calling anything.

PromptLooper never sends a model's API key: when the deployment names one
(``endpoint.api_key_env``), it is read from this process's environment.

Needs Python 3.10+ and Jinja2 (``pip install jinja2``); nothing else.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

TEMPLATES = SandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
)


def fetch_deployment(
    base_url: str, api_key: str, project: str, experiment: str, label: str
) -> dict:
    path = "/".join(
        urllib.parse.quote(part, safe="") for part in (project, experiment, label)
    )
    request = urllib.request.Request(
        f"{base_url.rstrip('/')}/api/deployments/{path}/",
        headers={"Authorization": f"Api-Key {api_key}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def render(messages: list[dict], variables: dict) -> list[dict]:
    return [
        {
            **message,
            "content": TEMPLATES.from_string(message["content"]).render(variables),
        }
        for message in messages
    ]


def complete(stage: dict, messages: list[dict]) -> str:
    """One OpenAI-compatible chat completion for the stage."""
    endpoint = stage["endpoint"]
    headers = {"Content-Type": "application/json"}
    if endpoint.get("api_key_env"):
        headers["Authorization"] = f"Bearer {os.environ[endpoint['api_key_env']]}"
    body = {"model": stage["model"], "messages": messages, **stage["params"]}
    request = urllib.request.Request(
        f"{endpoint['base_url'].rstrip('/')}/chat/completions",
        data=json.dumps(body).encode(),
        headers=headers,
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.load(response)["choices"][0]["message"]["content"]


def context(item_input: dict) -> dict:
    """What a template sees, as in a sweep: the input's fields, ``item`` and
    ``stages`` (the earlier stages' ``output`` and ``json``)."""
    return {
        **item_input,
        "expected": None,
        "item": {"input": item_input, "expected": None, "tags": []},
        "stages": {},
    }


def run_pipeline(deployment: dict, item_input: dict) -> str:
    """Every stage in order, each output handed to the stages after it."""
    variables = context(item_input)
    stages = variables["stages"]
    output = ""
    for stage in deployment["stages"]:
        output = complete(stage, render(stage["prompt"]["messages"], variables))
        try:
            parsed = json.loads(output)
        except ValueError:
            parsed = None
        stages[stage["name"]] = {"output": output, "json": parsed}
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project")
    parser.add_argument("experiment")
    parser.add_argument("label")
    parser.add_argument("--input", default="{}", help="the item's input, as JSON")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the first stage's messages, call nothing",
    )
    args = parser.parse_args(argv)
    base_url = os.environ.get("PROMPTLOOPER_URL", "http://127.0.0.1:8400")
    api_key = os.environ.get("PROMPTLOOPER_API_KEY")
    if not api_key:
        parser.error("set PROMPTLOOPER_API_KEY to an API key of the project")
    try:
        deployment = fetch_deployment(
            base_url,
            api_key,
            args.project,
            args.experiment,
            args.label,
        )
    except urllib.error.HTTPError as exc:  # 401 bad key, 404 nothing promoted
        detail = json.loads(exc.read() or b"{}").get("detail", exc.reason)
        sys.exit(f"cannot fetch the deployment: {exc.code} {detail}")
    promotion = deployment["promotion"]
    sys.stderr.write(
        f"{args.label}: config {deployment['config_hash'][:12]} of sweep "
        f"{promotion['sweep']} (score {deployment['scores'].get('score')}), "
        f"promoted by {promotion['promoted_by']} at {promotion['promoted_at']}\n"
    )
    for stage in deployment["stages"]:
        sys.stderr.write(
            f"  {stage['name']}: prompt {stage['prompt']['name']} "
            f"v{stage['prompt']['version']}, {stage['model']} at "
            f"{stage['endpoint']['base_url']} {stage['params']}\n"
        )
    item_input = json.loads(args.input)
    if args.dry_run:
        first = deployment["stages"][0]
        messages = render(first["prompt"]["messages"], context(item_input))
        sys.stdout.write(json.dumps(messages, indent=2) + "\n")
        return 0
    sys.stdout.write(run_pipeline(deployment, item_input) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
