"""What a valid spec adds up to: configs, runs (within the size limits),
the estimated cost, and each called endpoint's concurrency cap."""

from __future__ import annotations

import itertools
import math

from experiments.pricing import price_of
from experiments.spec.concurrency import InFlightCap, in_flight_caps
from experiments.spec.errors import SpecError
from experiments.spec.limits import config_count, size_errors, stage_choices
from experiments.spec.stages import all_scorers, stages_of
from experiments.spec.validator.base import Checker, SpecResult, canonical

DEFAULT_OUTPUT_TOKENS = 256  # for cost estimates when max_tokens is not swept


def result(check: Checker, spec: dict) -> SpecResult:
    """The result of a spec without errors (or its size errors)."""
    configs = config_count(spec)
    samples = spec["samples"]
    total = configs * len(check.items) * samples
    budget = spec["strategy"]["budget"]
    runs = min(total, budget) if budget else total
    too_big = size_errors(
        spec, len(check.items), check.context.max_configs, check.context.max_runs
    )
    too_big += guided_errors(spec, len(check.items))
    if too_big:
        return SpecResult(too_big)
    cost, unpriced = estimate_cost(check, spec, runs / total if total else 0.0)
    found = SpecResult(
        [], spec, check.items, check.all_items, configs, samples, runs, cost, unpriced
    )
    # What the full grid would take, for comparison with a budget.
    found.grid_runs = total
    found.grid_estimated_cost = estimate_cost(check, spec, 1.0)[0] if total else None
    found.concurrency = in_flight(check, spec)
    return found


def guided_errors(spec: dict, n_items: int) -> list[SpecError]:
    """A guided budget must carry at least one config over every item (its
    final pick is a config evaluated on the full set); ``min_items`` must be
    within the item count."""
    strategy = spec["strategy"]
    if strategy["type"] != "guided" or not n_items:
        return []
    errors = []
    min_items = (strategy.get("halving") or {}).get("min_items")
    if min_items and min_items > n_items:
        errors.append(
            SpecError(
                "strategy.halving.min_items",
                f"{min_items} is more than the dataset's {n_items} items",
            )
        )
    least = n_items * spec["samples"]
    if strategy["budget"] < least:
        errors.append(
            SpecError(
                "strategy.budget",
                f"guided search needs a budget of at least {least:,} runs (one "
                "config on every item and sample); its final pick is a config "
                "evaluated on the full set",
            )
        )
    return errors


def in_flight(check: Checker, spec: dict) -> list[InFlightCap]:
    """The effective cap of every endpoint the spec calls (its models'
    and its judges'), with the spec's settings over the stored ones."""
    used = {m["endpoint"] for m in spec["models"]} | {
        s["endpoint"] for s in all_scorers(spec) if s["type"] == "llm_judge"
    }
    settings = {
        **check.context.endpoints,
        **{e["name"]: e for e in spec["endpoints"]},
    }
    return in_flight_caps(
        spec["concurrency"], {name: settings.get(name, {}) for name in used}
    )


def estimate_cost(
    check: Checker, spec: dict, fraction: float
) -> tuple[float | None, list[str]]:
    """(cost, the unpriced "endpoint/model"s); the cost is None when no
    model called has a price. Prompt tokens ~ rendered chars / 4;
    completion tokens = max_tokens (an upper bound), else a typical answer
    length. ``fraction``: the share of the space a budget runs."""
    prices = {e["name"]: e.get("prices") or {} for e in spec["endpoints"]}
    for name, stored in check.context.endpoints.items():
        prices.setdefault(name, stored.get("prices") or {})
    total, priced, unpriced = 0.0, False, []
    # A stage's call is shared by the configs that agree up to it: it is
    # made once per choice of the stages so far.
    calls = len(check.items) * spec["samples"] * fraction
    for stage in stages_of(spec):
        params = stage["params"]
        # Positive integers: the params check refused anything else.
        max_tokens = params.get("max_tokens", [DEFAULT_OUTPUT_TOKENS])
        param_sets = math.prod(len(v) for v in params.values())
        mean_out = sum(max_tokens) / len(max_tokens)
        per_item = calls * param_sets
        for model, prompt in itertools.product(stage["models"], stage["prompts"]):
            price = prices.get(model["endpoint"], {}).get(model["model"])
            if not price:
                label = f"{model['endpoint']}/{model['model']}"
                if label not in unpriced:
                    unpriced.append(label)
                continue
            priced = True
            chars = check.prompt_chars[canonical(prompt["name"])]
            total += per_item * (price_of(price, chars / 4, mean_out) or 0.0)
        calls *= stage_choices(stage)
    return (total if priced else None), unpriced
