"""The spec's stages and, per stage, its prompts, models and param axes.

The single-stage form is one stage named ``main`` whose paths are the
top-level ones (``prompts[0]``); a pipeline's are ``stages[1].prompts[0]``.
"""

from __future__ import annotations

from typing import Any

from experiments.spec import stages as stage_names
from experiments.spec.params import param_problem
from experiments.spec.validator.base import (
    NO_STREAMING,
    Checker,
    as_list,
    by_value,
    canonical,
    names_of,
)
from experiments.spec.validator.scorers import scorers
from experiments.spec.validator.template_checks import check_template

# A stage's templates may read (earlier stage names, every stage name).
StageRefs = tuple[list[str], list[str]]


def stages(check: Checker, endpoints: list[dict]) -> list[dict]:
    """The stages, checked in order."""
    doc = check.doc
    if "stages" not in doc:
        return [stage(check, doc, "", stage_names.MAIN, None, endpoints)]
    for key in ("prompts", "models", "params"):
        if key in doc:
            check.error(
                key,
                "a spec has either stages or top-level prompts/models/params, "
                f"not both; move {key} into a stage",
            )
    entries = as_list(doc["stages"])
    every = [e.get("name") if isinstance(e, dict) else None for e in entries]
    result, seen = [], set()
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        name = entry.get("name")
        if isinstance(name, str) and name in seen:
            check.error(f"stages[{i}].name", f'duplicate stage name "{name}"')
        elif isinstance(name, str) and hasattr(dict, name):
            # ``stages.items`` would be the mapping's method, not the stage.
            check.error(f"stages[{i}].name", f'"{name}" is reserved; rename it')
        seen.add(name)
        earlier = [n for n in every[:i] if isinstance(n, str)]
        refs = (earlier, [n for n in every if isinstance(n, str)])
        result.append(stage(check, entry, f"stages[{i}].", name, refs, endpoints))
    return result


def stage(
    check: Checker,
    entry: dict,
    prefix: str,
    name: Any,
    refs: StageRefs | None,
    endpoints: list[dict],
) -> dict:
    found = []
    if refs is not None:  # a pipeline's stage scorers: named after it
        found = scorers(check, endpoints, entry.get("scorers"), f"{prefix}scorers")
        for scorer, raw in zip(found, as_list(entry.get("scorers")), strict=False):
            scorer["name"] = f"{name}.{scorer['name']}"
            # Counted in the composite only when weighted on purpose.
            scorer["weight"] = raw.get("weight", 0.0)
    return {
        "name": name,
        "prompts": prompts(check, entry.get("prompts"), prefix, refs),
        "models": models(check, endpoints, entry.get("models"), prefix),
        "params": params(check, entry.get("params"), prefix),
        "scorers": found,
    }


def prompts(
    check: Checker, entries: Any, prefix: str, refs: StageRefs | None
) -> list[dict]:
    result, seen = [], check.prompt_names  # prompt names are pipeline-wide
    for i, entry in enumerate(as_list(entries)):
        if not isinstance(entry, dict):
            continue
        path = f"{prefix}prompts[{i}]"
        name = entry.get("name")
        if isinstance(name, str) and canonical(name) in seen:
            check.error(f"{path}.name", f'duplicate prompt name "{name}"')
        seen.add(canonical(name))
        has_messages, has_template = "messages" in entry, "template" in entry
        if has_messages == has_template:
            check.error(path, "give exactly one of messages or template")
            continue
        if has_template:
            messages = [{"role": "user", "content": entry["template"]}]
            sources = [(f"{path}.template", entry["template"])]
        else:
            messages = as_list(entry["messages"])
            sources = [
                (f"{path}.messages[{j}].content", m.get("content"))
                for j, m in enumerate(messages)
                if isinstance(m, dict)
            ]
        chars = [check_template(check, p, s, stages=refs) for p, s in sources]
        check.prompt_chars[canonical(name)] = sum(chars)
        result.append({"name": name, "messages": messages})
    return result


def models(
    check: Checker, endpoints: list[dict], entries: Any, prefix: str
) -> list[dict]:
    known = names_of(endpoints) | set(check.context.endpoints)
    result, seen = [], set()
    for i, entry in enumerate(as_list(entries)):
        if not isinstance(entry, dict):
            continue
        endpoint = entry.get("endpoint")
        path = f"{prefix}models[{i}]"
        if isinstance(endpoint, str) and endpoint not in known:
            check.error(f"{path}.endpoint", check.unknown_endpoint(endpoint))
        pair = canonical([endpoint, entry.get("model")])
        if pair in seen:
            check.error(
                path,
                f'"{entry.get("model")}" on "{endpoint}" is listed twice',
            )
        seen.add(pair)
        result.append({"endpoint": endpoint, "model": entry.get("model")})
    return result


def params(check: Checker, given: Any, prefix: str) -> dict[str, list]:
    """The param axes: a value or a list of values each."""
    if not isinstance(given, dict):
        return {}
    axes = {}
    for key, value in given.items():
        path = f"{prefix}params.{key}"
        if key == "stream":
            check.error(path, NO_STREAMING)
            continue
        if key in ("model", "messages"):
            check.error(path, f"{key} is set by the spec's {key}s/prompts, not params")
            continue
        values = value if isinstance(value, list) else [value]
        if not values:
            check.error(path, "an axis needs at least one value")
            continue
        # As the config hash compares them (1 == 1.0): two spellings of
        # one value would be one config, not the two counted here.
        spellings = [by_value(v) for v in values]
        if len(set(spellings)) != len(spellings):
            check.error(path, "an axis lists the same value twice")
        if not check.reported(path):  # NaN, a date
            problems = (param_problem(key, v) for v in values)
            problem = next(filter(None, problems), None)
            if problem:
                check.error(path, problem)
        axes[key] = values
    return axes
