"""Scorers (the final ones and a pipeline stage's): a known type, its
options by the type's own schema, unique names, a judge's endpoint and
request parameters, and the templates among the options."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from experiments.spec.errors import schema_errors
from experiments.spec.params import param_problem
from experiments.spec.validator.base import (
    NO_STREAMING,
    Checker,
    as_list,
    canonical,
    names_of,
)
from experiments.spec.validator.template_checks import check_template
from scoring.options import COMMON_OPTIONS, scorer_options


def scorers(
    check: Checker, endpoints: list[dict], entries: Any, where: str
) -> list[dict]:
    """The scorers at ``where`` (``scorers``, ``stages[1].scorers``), each
    with its name (the type, ``type:field``, or its own) and weight."""
    result, names = [], set()
    known_endpoints = names_of(endpoints) | set(check.context.endpoints)
    known_scorers = scorer_options()
    for i, entry in enumerate(as_list(entries)):
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
            continue
        path = f"{where}[{i}]"
        kind = entry["type"]
        options = known_scorers.get(kind)
        if options is None:
            check.error(
                f"{path}.type",
                f'unknown scorer "{kind}"; known: ' + ", ".join(sorted(known_scorers)),
            )
            continue
        schema = {
            "type": "object",
            "additionalProperties": False,
            "properties": {**COMMON_OPTIONS, **options["properties"]},
            "required": options.get("required", []),
        }
        check.errors += schema_errors(Draft202012Validator(schema), entry, path)
        group = options.get("oneOf_required")
        if group and sum(key in entry for key in group) != 1:
            check.error(path, f"give exactly one of {' or '.join(group)}")
        name = entry.get("name") or (
            f"{kind}:{entry['field']}" if isinstance(entry.get("field"), str) else kind
        )
        if canonical(name) in names:
            check.error(f"{path}.name", f'duplicate scorer name "{name}"; set name')
        names.add(canonical(name))
        judge_endpoint = entry.get("endpoint")
        if (
            kind == "llm_judge"
            and isinstance(judge_endpoint, str)
            and judge_endpoint not in known_endpoints
        ):
            check.error(f"{path}.endpoint", check.unknown_endpoint(judge_endpoint))
        if kind == "llm_judge":
            judge_params(check, path, entry.get("params"))
        for option in options["template_options"]:
            value = entry.get(option)
            extra = {"output": "", "input": {}} if option == "rubric" else None
            if isinstance(value, str):
                check_template(check, f"{path}.{option}", value, extra)
            elif isinstance(value, list):
                for j, text in enumerate(value):
                    if isinstance(text, str):
                        check_template(check, f"{path}.{option}[{j}]", text, extra)
        result.append({**entry, "name": name, "weight": entry.get("weight", 1.0)})
    return result


def judge_params(check: Checker, path: str, params: Any) -> None:
    """A judge's request parameters, checked as the spec's axes are
    (one value each, not an axis)."""
    if not isinstance(params, dict):
        return  # the scorer's options schema reported it
    for key, value in params.items():
        where = f"{path}.params.{key}"
        if key == "stream":
            check.error(where, NO_STREAMING)
        elif key in ("model", "messages"):
            check.error(where, f"{key} is set by the scorer's model and rubric")
        elif not check.reported(where):  # NaN, a date
            problem = param_problem(key, value)
            if problem:
                check.error(where, problem)
