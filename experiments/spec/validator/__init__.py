"""Validate an experiment spec: every error at once, each with its field path.

``validate_spec(document, context)`` is pure: the caller supplies what is
stored (datasets, endpoints) through a ``SpecContext``, so the same function
serves the CLI, the API, MCP and the dashboard and reads the same everywhere.

The document's shape is the JSON schema's (``experiments/spec/schema.py``);
the rules beyond shape are one module per section: ``endpoints``,
``dataset``, ``stages`` (prompts, models, params), ``scorers``, with
``template_checks`` for every template and ``totals`` for what a valid spec
adds up to. They share one ``Checker`` (``base``).
"""

from __future__ import annotations

import math
from typing import Any

from jsonschema import Draft202012Validator

from experiments.nul import NUL_MESSAGE
from experiments.spec.errors import SpecError, format_path, schema_errors
from experiments.spec.schema import SPEC_SCHEMA
from experiments.spec.validator.base import (
    DEFAULT_PROJECT,
    Checker,
    SpecContext,
    SpecResult,
)
from experiments.spec.validator.dataset import dataset
from experiments.spec.validator.endpoints import endpoints
from experiments.spec.validator.scorers import scorers
from experiments.spec.validator.stages import stages
from experiments.spec.validator.totals import DEFAULT_OUTPUT_TOKENS, result

__all__ = [
    "AVAILABLE_STRATEGIES",
    "DEFAULT_OUTPUT_TOKENS",
    "DEFAULT_PROJECT",
    "SpecContext",
    "SpecResult",
    "validate_spec",
]

AVAILABLE_STRATEGIES = ("grid", "random", "guided")
_SPEC_VALIDATOR = Draft202012Validator(SPEC_SCHEMA)


def validate_spec(document: Any, context: SpecContext | None = None) -> SpecResult:
    """Every error of ``document`` (sorted by path), or the normalised spec
    with its items, counts, cost estimate and concurrency caps."""
    context = context or SpecContext()
    errors = [
        *_non_json_values(document, ()),
        *schema_errors(_SPEC_VALIDATOR, document),
    ]
    if not isinstance(document, dict):
        return SpecResult(errors)
    check = Checker(document, context, errors)
    spec = _normalised(check)
    if errors:
        return SpecResult(sorted(errors, key=lambda e: e.path))
    return result(check, spec)


def _normalised(check: Checker) -> dict:
    """The spec with every default filled in, as it is stored."""
    doc = check.doc
    found_endpoints = endpoints(check)
    found_dataset = dataset(check)
    found_stages = stages(check, found_endpoints)
    found_scorers = scorers(check, found_endpoints, doc.get("scorers"), "scorers")
    found_strategy = _strategy(check)
    models = []  # every stage's, once: the endpoints the sweep calls
    for stage in found_stages:
        models += [m for m in stage["models"] if m not in models]
    spec = {
        "version": 1,
        "name": doc.get("name"),
        "project": check.project,
        "description": doc.get("description", ""),
        "endpoints": found_endpoints,
        "dataset": found_dataset,
        "stages": found_stages,
        # Every stage's prompts (stored as prompt versions) and models.
        "prompts": [p for stage in found_stages for p in stage["prompts"]],
        "models": models,
        "samples": doc.get("samples", 1),
        "scorers": found_scorers,
        "strategy": found_strategy,
        "concurrency": doc.get("concurrency", 16),
    }
    if "stages" not in doc:  # the single-stage form, as it always was
        spec["params"] = found_stages[0]["params"]
    return spec


def _strategy(check: Checker) -> dict:
    spec = check.doc.get("strategy") or {}
    if not isinstance(spec, dict):
        return {}
    strategy = {
        "type": spec.get("type", "grid"),
        "budget": spec.get("budget"),
        "seed": spec.get("seed", 0),
        "objectives": spec.get("objectives", ["score"]),
    }
    kind = strategy["type"]
    if kind in ("random", "guided") and strategy["budget"] is None:
        check.error("strategy.budget", f"{kind} search needs a budget (max runs)")
    if "halving" in spec:
        strategy["halving"] = spec["halving"]
        if kind != "guided":
            check.error("strategy.halving", "only guided search uses halving")
    objectives = strategy["objectives"]
    if kind == "guided" and isinstance(objectives, list):
        if len(set(objectives)) != len(objectives):
            check.error("strategy.objectives", "an objective is listed twice")
        elif len(objectives) > 2:
            check.error(
                "strategy.objectives",
                "guided search takes one objective or two (a Pareto front)",
            )
    return strategy


def _non_json_values(value: Any, path: tuple) -> list[SpecError]:
    """YAML can produce dates, sets and NaN; the spec is JSON, so reject them.
    NUL characters too: PostgreSQL cannot store them in text or JSON."""
    if isinstance(value, dict):
        found = []
        for key, child in value.items():
            if not isinstance(key, str):
                found.append(
                    SpecError(format_path(path), f"key {key!r} is not a string")
                )
            elif "\x00" in key:
                shown = key.replace("\x00", "\\x00")
                found.append(SpecError(format_path((*path, shown)), NUL_MESSAGE))
                continue
            found += _non_json_values(child, (*path, str(key)))
        return found
    if isinstance(value, list):
        return [e for i, v in enumerate(value) for e in _non_json_values(v, (*path, i))]
    if isinstance(value, float) and not math.isfinite(value):
        return [SpecError(format_path(path), "must be a finite number")]
    if isinstance(value, str) and "\x00" in value:
        return [SpecError(format_path(path), NUL_MESSAGE)]
    if value is None or isinstance(value, str | int | float | bool):
        return []
    return [
        SpecError(
            format_path(path),
            f"must be a JSON value, got {type(value).__name__} (quote it in YAML)",
        )
    ]
