"""How big a sweep may be (``PROMPTLOOPER_MAX_CONFIGS``, ``PROMPTLOOPER_MAX_RUNS``).

A few long axes multiply into astronomically many runs; without a cap one spec
could make the planner build every combination and exhaust the server. Grid
runs the full product, so its configs are capped as well as its runs. Random
search draws ``budget`` runs from the space without building it, so only its
runs are capped and its space may be larger than ``MAX_CONFIGS``.
"""

from __future__ import annotations

import math

from experiments.spec.errors import SpecError
from experiments.spec.stages import stages_of

DEFAULT_MAX_CONFIGS = 10_000
DEFAULT_MAX_RUNS = 1_000_000


def limits() -> tuple[int, int]:
    """(max configs, max runs) from the settings, or the defaults."""
    from django.conf import settings

    return (
        getattr(settings, "MAX_CONFIGS", DEFAULT_MAX_CONFIGS),
        getattr(settings, "MAX_RUNS", DEFAULT_MAX_RUNS),
    )


def stage_choices(stage: dict) -> int:
    """A stage's prompts x models x the product of its param axes."""
    axes = stage["params"].values()
    return len(stage["prompts"]) * len(stage["models"]) * math.prod(map(len, axes))


def config_count(spec: dict) -> int:
    """The product of every stage's choices (never enumerated)."""
    return math.prod(stage_choices(stage) for stage in stages_of(spec))


def planned_runs(spec: dict, n_items: int) -> int:
    total = config_count(spec) * n_items * spec["samples"]
    budget = spec["strategy"].get("budget")
    return min(total, budget) if budget else total


def size_errors(
    spec: dict,
    n_items: int,
    max_configs: int | None = None,
    max_runs: int | None = None,
) -> list[SpecError]:
    """Errors (on ``strategy`` paths, so a strategy override reports them
    too) when the normalised ``spec`` is over the limits."""
    default_configs, default_runs = limits()
    max_configs = default_configs if max_configs is None else max_configs
    max_runs = default_runs if max_runs is None else max_runs
    configs = config_count(spec)
    runs = planned_runs(spec, n_items)
    errors = []
    per_stage = ", per stage" if len(stages_of(spec)) > 1 else ""
    if spec["strategy"].get("type", "grid") == "grid" and configs > max_configs:
        errors.append(
            SpecError(
                "strategy",
                f"a grid sweep of {configs:,} configs (prompts x models x param "
                f"values{per_stage}) is over the limit of {max_configs:,} "
                "(PROMPTLOOPER_MAX_CONFIGS); use fewer values, or random search "
                "with a budget",
            )
        )
    if runs > max_runs:
        errors.append(
            SpecError(
                "strategy.budget",
                f"the sweep would make {runs:,} runs (configs x items x samples"
                f"{', capped by the budget' if spec['strategy'].get('budget') else ''}"
                f"), over the limit of {max_runs:,} (PROMPTLOOPER_MAX_RUNS); "
                "set a smaller budget",
            )
        )
    return errors
