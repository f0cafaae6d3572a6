"""Planners decide which runs a sweep makes: grid (the full product) or random
(a seeded sample within a budget). A planner is a function of the spec, so a
resumed sweep plans exactly the same runs again."""

from __future__ import annotations

import hashlib
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

from experiments.engine.cache import canonical_json


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
        return hashlib.sha256(canonical_json(self.as_dict()).encode()).hexdigest()


@dataclass(frozen=True)
class PlannedRun:
    config: Config
    item_index: int  # position in the experiment's (limited) item list
    sample_index: int


def configs(spec: dict) -> list[Config]:
    axes = spec["params"]
    names = list(axes)
    combos = list(itertools.product(*(axes[name] for name in names)))
    return [
        Config(
            prompt["name"],
            model["endpoint"],
            model["model"],
            dict(zip(names, combo, strict=True)),
        )
        for prompt in spec["prompts"]
        for model in spec["models"]
        for combo in combos
    ]


def grid(spec: dict, n_items: int) -> Iterator[PlannedRun]:
    """Every config x item x sample, item-major so early results cover every
    config (a partial sweep still compares them all); capped by the budget."""
    budget = spec["strategy"].get("budget")
    all_configs = configs(spec)
    planned = (
        PlannedRun(config, item, sample)
        for item in range(n_items)
        for sample in range(spec["samples"])
        for config in all_configs
    )
    return itertools.islice(planned, budget) if budget else planned


def random_sample(spec: dict, n_items: int) -> Iterator[PlannedRun]:
    """``budget`` runs drawn without replacement, reproducibly from ``seed``."""
    all_configs = configs(spec)
    samples = spec["samples"]
    total = len(all_configs) * n_items * samples
    budget = min(spec["strategy"]["budget"], total)
    rng = random.Random(spec["strategy"].get("seed", 0))
    for flat in sorted(rng.sample(range(total), budget)):
        config, rest = divmod(flat, n_items * samples)
        item, sample = divmod(rest, samples)
        yield PlannedRun(all_configs[config], item, sample)


PLANNERS: dict[str, Callable[[dict, int], Iterator[PlannedRun]]] = {
    "grid": grid,
    "random": random_sample,
}


def plan(spec: dict, n_items: int) -> Iterator[PlannedRun]:
    return PLANNERS[spec["strategy"]["type"]](spec, n_items)
