"""Planners decide which runs a sweep makes: grid (the full product) or random
(a seeded sample within a budget). A planner is a function of the spec, so a
resumed sweep plans exactly the same runs again."""

from __future__ import annotations

import itertools
import random
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from experiments.hashing import sha256_json
from experiments.spec.limits import config_count, size_errors, stage_choices
from experiments.spec.stages import stages_of


@dataclass(frozen=True)
class StageChoice:
    """One stage's (prompt, model, params) in a pipeline's config."""

    name: str
    prompt: str
    endpoint: str
    model: str
    params: dict

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "prompt": self.prompt,
            "endpoint": self.endpoint,
            "model": self.model,
            "params": self.params,
        }


@dataclass(frozen=True)
class Config:
    """A single-stage config, or a pipeline's (``stages``, one choice each):
    then prompt/endpoint/model/params are the last stage's, so what reads a
    run's config (labels, the leaderboard) shows the stage that answered."""

    prompt: str
    endpoint: str
    model: str
    params: dict
    stages: tuple[StageChoice, ...] = ()

    def as_dict(self) -> dict:
        # A single-stage config has exactly the keys it always had, so its
        # hash (and every stored run's) stays the same.
        config = {
            "prompt": self.prompt,
            "endpoint": self.endpoint,
            "model": self.model,
            "params": self.params,
        }
        if self.stages:
            config["stages"] = [choice.as_dict() for choice in self.stages]
        return config

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
    last one varying fastest (``itertools.product`` order), built one at a time.
    A pipeline's are the product of its stages' choices, the first stage
    varying slowest."""
    stages = stages_of(spec)
    if len(stages) > 1:
        counts = [range(stage_choices(stage)) for stage in stages]
        for indices in itertools.product(*counts):
            yield _pipeline(stages, indices)
        return
    axes = stages[0]["params"]
    names = list(axes)
    for prompt in stages[0]["prompts"]:
        for model in stages[0]["models"]:
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
    stages = stages_of(spec)
    if len(stages) == 1:
        return _choice_at(stages[0], index)
    indices = []
    for stage in reversed(stages):  # the last stage is the least significant
        index, digit = divmod(index, stage_choices(stage))
        indices.append(digit)
    if index:
        raise IndexError("config index out of range")
    return _pipeline(stages, indices[::-1])


def _pipeline(stages: list[dict], indices: Iterable[int]) -> Config:
    picks = [_choice_at(s, i) for s, i in zip(stages, indices, strict=True)]
    choices = tuple(
        StageChoice(s["name"], c.prompt, c.endpoint, c.model, c.params)
        for s, c in zip(stages, picks, strict=True)
    )
    last = picks[-1]
    return Config(last.prompt, last.endpoint, last.model, last.params, choices)


def _choice_at(stage: dict, index: int) -> Config:
    """One stage's ``index``-th (prompt, model, params), as a config."""
    axes = stage["params"]
    names = list(axes)
    picks = {}
    for name in reversed(names):  # the last axis is the least significant digit
        index, digit = divmod(index, len(axes[name]))
        picks[name] = axes[name][digit]
    index, model_index = divmod(index, len(stage["models"]))
    if index >= len(stage["prompts"]):
        raise IndexError("config index out of range")
    model = stage["models"][model_index]
    return Config(
        stage["prompts"][index]["name"],
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
