"""Optuna's side of guided search: the config space as categorical axes (per
stage for a pipeline), and a study asked for new configs and told what they
scored.

Everything is driven by the seed and the order of asks and tells, so a
runner that replays the search (telling stored outcomes instead of waiting
for calls) gets the same configs back from the sampler."""

from __future__ import annotations

import random
from dataclasses import dataclass

import optuna
from optuna.distributions import BaseDistribution, CategoricalDistribution
from optuna.trial import Trial, TrialState

from experiments.engine.planner import Config, config_at
from experiments.spec.limits import config_count
from experiments.spec.stages import stages_of

optuna.logging.set_verbosity(optuna.logging.WARNING)
FALLBACK_DRAWS = 64


class Space:
    """Every axis of every stage (prompt, model, each param), as indices; a
    config's index in ``planner.config_at`` order is their mixed-radix number
    (the first stage's prompt most significant, the last param least)."""

    def __init__(self, spec: dict):
        self.spec = spec
        stages = stages_of(spec)
        self.axes: list[tuple[str, int]] = []
        for stage in stages:
            prefix = f"{stage['name']}." if len(stages) > 1 else ""
            self.axes.append((f"{prefix}prompt", len(stage["prompts"])))
            self.axes.append((f"{prefix}model", len(stage["models"])))
            for name, values in stage["params"].items():
                self.axes.append((f"{prefix}params.{name}", len(values)))
        self.size = config_count(spec)
        self.distributions: dict[str, BaseDistribution] = {
            name: CategoricalDistribution(list(range(size))) for name, size in self.axes
        }

    def index(self, params: dict) -> int:
        index = 0
        for name, size in self.axes:
            index = index * size + int(params[name])
        return index

    def params(self, index: int) -> dict:
        found = {}
        for name, size in reversed(self.axes):
            index, found[name] = divmod(index, size)
        return found

    def config(self, index: int) -> Config:
        return config_at(self.spec, index)

    def index_of(self, config: dict) -> int | None:
        """A stored run's config's index, or None if it is not in this space
        (another spec's prompt, model or value)."""
        stages = stages_of(self.spec)
        chosen = config.get("stages") or [config]
        if len(chosen) != len(stages):
            return None
        index = 0
        try:
            for stage, choice in zip(stages, chosen, strict=True):
                prompts = [p["name"] for p in stage["prompts"]]
                models = [(m["endpoint"], m["model"]) for m in stage["models"]]
                index = index * len(prompts) + prompts.index(choice["prompt"])
                model = (choice["endpoint"], choice["model"])
                index = index * len(models) + models.index(model)
                if set(choice["params"]) != set(stage["params"]):
                    return None
                for name, values in stage["params"].items():
                    position = values.index(choice["params"][name])
                    index = index * len(values) + position
        except (KeyError, ValueError, TypeError):
            return None
        return index


@dataclass
class Asked:
    trial: Trial
    index: int
    config: Config
    number: int  # how many configs were asked before it in this search


class Asker:
    """The study, and which configs it has had: a config is asked once per
    sweep (a repeat is told what it scored before, or fails, and a seeded
    draw among the configs not tried yet takes its place)."""

    def __init__(self, space: Space, seed: int, objectives: list[str]):
        self.space = space
        self.seen: dict[int, tuple[float, ...] | None] = {}  # index -> told values
        self.asked = 0
        self.rng = random.Random(f"guided-fallback:{seed}")
        sampler: optuna.samplers.BaseSampler
        if len(objectives) > 1:
            sampler = optuna.samplers.NSGAIISampler(seed=seed)
        else:
            sampler = optuna.samplers.TPESampler(seed=seed)
        self.study = optuna.create_study(
            directions=["maximize"] * len(objectives), sampler=sampler
        )

    def prefer(self, indices: list[int]) -> None:
        """Ask these configs first, in this order (those whose runs are
        likely cached: the budget is left for the rest)."""
        for index in dict.fromkeys(indices):
            self.study.enqueue_trial(self.space.params(index))

    @property
    def untried(self) -> int:
        return self.space.size - len(self.seen)

    def ask(self, n: int) -> list[Asked]:
        """Up to ``n`` configs not asked before."""
        found: list[Asked] = []
        while len(found) < n:
            trial = self.study.ask(self.space.distributions)
            index = self.space.index(trial.params)
            if index in self.seen:
                values = self.seen[index]
                if values is None:  # asked, not scored yet: this bracket's
                    self.study.tell(trial, state=TrialState.FAIL)
                else:
                    self.study.tell(trial, list(values))
                other = self._draw_untried()
                if other is None:
                    break
                self.study.enqueue_trial(self.space.params(other))
                continue
            self.seen[index] = None
            asked = Asked(trial, index, self.space.config(index), self.asked)
            self.asked += 1
            found.append(asked)
        return found

    def tell(self, asked: Asked, values: tuple[float, ...]) -> None:
        self.seen[asked.index] = values
        self.study.tell(asked.trial, list(values))

    def _draw_untried(self) -> int | None:
        if self.untried <= 0:
            return None
        size = self.space.size
        for _ in range(FALLBACK_DRAWS):
            index = self.rng.randrange(size)
            if index not in self.seen:
                return index
        start = self.rng.randrange(size)  # a crowded space: walk from a draw
        for step in range(size):
            index = (start + step) % size
            if index not in self.seen:
                return index
        return None
