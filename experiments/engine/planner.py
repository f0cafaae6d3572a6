"""Planners decide which runs a sweep makes: grid (the full product) or random
(a seeded sample within a budget). A planner is a function of the spec, so a
resumed sweep plans exactly the same runs again."""

from __future__ import annotations

import itertools
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

from experiments.hashing import sha256_json
from experiments.spec.limits import config_count, size_errors


@dataclass(frozen=True)
class Config:
    prompt: str
    endpoint: str
    model: str
    params: dict

    def as_dict(self) -> dict:
        return {
            "prompt": self.prompt,
            "endpoint": self.endpoint,
            "model": self.model,
            "params": self.params,
        }

    @cached_property  # one hash per config, not per planned run
    def hash(self) -> str:
        return sha256_json(self.as_dict())


@dataclass(frozen=True)
class PlannedRun:
    config: Config
    item_index: int  # position in the experiment's (limited) item list
    sample_index: int


def iter_configs(spec: dict) -> Iterator[Config]:
    """Every config, prompt-major, then model, then the param axes with the
    last one varying fastest (``itertools.product`` order), built one at a time."""
    axes = spec["params"]
    names = list(axes)
    for prompt in spec["prompts"]:
        for model in spec["models"]:
            for combo in itertools.product(*(axes[name] for name in names)):
                yield Config(
                    prompt["name"],
                    model["endpoint"],
                    model["model"],
                    dict(zip(names, combo, strict=True)),
                )


def configs(spec: dict) -> list[Config]:
    return list(iter_configs(spec))


def config_at(spec: dict, index: int) -> Config:
    """The ``index``-th config in ``iter_configs`` order, decoded from the
    index with mixed-radix arithmetic so the others are never built."""
    axes = spec["params"]
    names = list(axes)
    picks = {}
    for name in reversed(names):  # the last axis is the least significant digit
        index, digit = divmod(index, len(axes[name]))
        picks[name] = axes[name][digit]
    index, model_index = divmod(index, len(spec["models"]))
    if index >= len(spec["prompts"]):
        raise IndexError("config index out of range")
    model = spec["models"][model_index]
    return Config(
        spec["prompts"][index]["name"],
        model["endpoint"],
        model["model"],
        {name: picks[name] for name in names},
    )


def grid(spec: dict, n_items: int) -> Iterator[PlannedRun]:
    """Every config x item x sample, item-major so early results cover every
    config (a partial sweep still compares them all); capped by the budget."""
    budget = spec["strategy"].get("budget")
    planned = _grid(spec, n_items)
    return itertools.islice(planned, budget) if budget else planned


def _grid(spec: dict, n_items: int) -> Iterator[PlannedRun]:
    # Configs are built during the first (item, sample) pass and reused after,
    # so a budget smaller than the product builds only the configs it uses.
    built: list[Config] = []
    for item in range(n_items):
        for sample in range(spec["samples"]):
            source = built if built else iter_configs(spec)
            for config in source:
                if source is not built:
                    built.append(config)
                yield PlannedRun(config, item, sample)


def random_sample(spec: dict, n_items: int) -> Iterator[PlannedRun]:
    """``budget`` runs drawn without replacement, reproducibly from ``seed``.
    Draws flat indices into configs x items x samples and decodes only the
    configs drawn, so the space may be far larger than what is planned."""
    samples = spec["samples"]
    per_config = n_items * samples
    total = config_count(spec) * per_config
    budget = min(spec["strategy"]["budget"], total)
    rng = random.Random(spec["strategy"].get("seed", 0))
    # One Config object per index: the store caches each config's hash by
    # object identity, and the planner's cache keeps them alive meanwhile.
    built: dict[int, Config] = {}
    for flat in sorted(_sample_indices(rng, total, budget)):
        index, rest = divmod(flat, per_config)
        item, sample = divmod(rest, samples)
        if index not in built:
            built[index] = config_at(spec, index)
        yield PlannedRun(built[index], item, sample)


def _sample_indices(rng: random.Random, total: int, k: int) -> list[int]:
    """``k`` distinct indices below ``total``. ``random.sample`` on a range is
    lazy (the same draws as ever for existing specs) but needs ``len()``, which
    stops at sys.maxsize; beyond that, draw the way it does for large ranges."""
    if total <= sys.maxsize:
        return rng.sample(range(total), k)
    chosen: set[int] = set()
    while len(chosen) < k:
        chosen.add(rng.randrange(total))
    return list(chosen)


PLANNERS: dict[str, Callable[[dict, int], Iterator[PlannedRun]]] = {
    "grid": grid,
    "random": random_sample,
}


class PlanTooLarge(ValueError):
    """A stored spec (validated before the limits existed) is over them."""


def plan(spec: dict, n_items: int) -> Iterator[PlannedRun]:
    too_big = size_errors(spec, n_items)
    if too_big:
        raise PlanTooLarge("; ".join(map(str, too_big)))
    return PLANNERS[spec["strategy"]["type"]](spec, n_items)
