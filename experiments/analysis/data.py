"""A sweep's runs read once into numpy arrays, with the value each analysis
ranks by: the composite score, one scorer's value, or a stage's scorers'
weighted mean (``Filters``). Failed runs stay in the arrays (error rates,
costs); only done runs with a value are "scored"."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from django.db.models import QuerySet

from experiments.analysis.columns import FIELDS, STATUS_CODES, sweep_columns
from experiments.exceptions import InvalidRequest
from experiments.models import Run, Score
from experiments.spec.stages import all_scorers, stages_of


class AnalysisParameterError(InvalidRequest):
    """A filter or axis the sweep does not have; ``param`` names it."""

    def __init__(self, param: str, message: str):
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message


@dataclass(frozen=True)
class Filters:
    """What the analysis ranks by: ``scorer`` (that scorer's value instead of
    the composite), ``stage`` (a pipeline stage's scorers), ``sample`` (only
    that sample index)."""

    scorer: str | None = None
    stage: str | None = None
    sample: int | None = None

    def as_dict(self) -> dict:
        return {"scorer": self.scorer, "stage": self.stage, "sample": self.sample}


def scorer_names(spec: dict) -> list[str]:
    if not spec:
        return []
    return [s.get("name") or s["type"] for s in all_scorers(spec)]


def stage_scorers(spec: dict) -> dict[str, list[str]]:
    """A pipeline's stages, each with its own scorers' names (a single-stage
    sweep has none: its only stage, ``main``, has no scorers of its own)."""
    stages = stages_of(spec) if spec else []
    if len(stages) < 2:  # one stage plans plain configs, scored as a whole
        return {}
    return {
        stage["name"]: [s.get("name") or s["type"] for s in stage["scorers"]]
        for stage in stages
    }


def check_filters(spec: dict, filters: Filters) -> None:
    """Raise ``AnalysisParameterError`` for a scorer or stage the sweep's
    spec does not have (a sample index that has no runs is simply empty)."""
    if filters.stage is not None:
        stages = stage_scorers(spec)
        if filters.stage not in stages:
            listed = ", ".join(stages) or "none: the sweep is not a pipeline"
            raise AnalysisParameterError(
                "stage", f'unknown stage "{filters.stage}"; stages: {listed}'
            )
        if not stages[filters.stage]:
            raise AnalysisParameterError(
                "stage", f'stage "{filters.stage}" has no scorers of its own'
            )
    if filters.scorer is not None:
        known: list[str] = scorer_names(spec)
        if filters.stage is not None:
            known = stage_scorers(spec)[filters.stage]
        if filters.scorer not in known:
            where = f' of stage "{filters.stage}"' if filters.stage else ""
            raise AnalysisParameterError(
                "scorer",
                f'unknown scorer "{filters.scorer}"{where}; scorers: '
                + (", ".join(known) or "none"),
            )


class SweepData:
    """The runs of ``runs`` (one sweep's), as arrays indexed by run; configs
    are numbered in the order of their first run (the planner's order)."""

    def __init__(
        self,
        runs: QuerySet,
        filters: Filters | None = None,
        fields: tuple[str, ...] = FIELDS,
        every_scorer: bool = True,
    ):
        """Reads ``fields`` (the others are NaN, 0 or False) and the values
        of every scorer (for per-scorer means) or of the filter's only."""
        self.filters = filters = filters or Filters()
        self.all_samples = every = runs.order_by()  # the stored columns' runs
        self.runs = every
        if filters.sample is not None:
            self.runs = every.filter(sample_index=filters.sample)
        self.sweep_id, self.spec = self._sweep()
        if self.spec is not None:
            check_filters(self.spec, filters)
        self.scorers = self._scorers(every_scorer)
        if filters.sample is not None:  # filtered below, on the arrays
            fields = (*fields, "sample_index")
        read = sweep_columns(
            every, self.sweep_id, fields, self.scorers, self._every_scorer
        )
        if filters.sample is not None:
            read = read.where(read.fields["sample_index"] == filters.sample)
        columns = read.fields
        self.ids = columns["id"]
        self.hashes, self.config = read.hashes, read.config
        self.item_id, self.sample = columns["item_id"], columns["sample_index"]
        self.done = columns["status"] == STATUS_CODES["done"]
        self.failed = columns["status"] == STATUS_CODES["failed"]
        self.cost, self.latency = columns["cost"], columns["latency_ms"]
        self.cache_hit = columns["cache_hit"]
        self.prompt_tokens = columns["prompt_tokens"]
        self.completion_tokens = columns["completion_tokens"]
        missing = np.full(len(self.ids), np.nan)
        self.scorer_values = {n: read.scores.get(n, missing) for n in self.scorers}
        value = columns["score"]
        if filters.scorer is not None or filters.stage is not None:
            value = self._filtered_values()
        self.value = np.where(self.done, value, np.nan)
        self.scored = ~np.isnan(self.value)

    @property
    def n_configs(self) -> int:
        return len(self.hashes)

    @property
    def seed(self) -> int:
        """The resampling seed: the sweep's id, so an analysis is the same
        every time it is asked for."""
        return self.sweep_id

    @cached_property
    def configs(self) -> list[dict]:
        """Each config's stored ``config``, in config order."""
        first = np.full(self.n_configs, np.iinfo(np.int64).max)
        np.minimum.at(first, self.config, self.ids)
        by_hash = dict(
            Run.objects.filter(id__in=[int(i) for i in first])
            .order_by()
            .values_list("config_hash", "config")
        )
        return [by_hash.get(h) or {} for h in self.hashes]

    @cached_property
    def is_pipeline(self) -> bool:
        return any(config.get("stages") for config in self.configs)

    @cached_property
    def samples(self) -> int:
        """How many sample indices the scored runs have (1 for most sweeps)."""
        return int(np.unique(self.sample[self.scored]).size)

    @cached_property
    def units(self) -> tuple[np.ndarray, int]:
        """Per scored run, its (item, sample) pair's number; how many pairs."""
        span = int(self.sample.max(initial=0)) + 1
        key = self.item_id[self.scored] * span + self.sample[self.scored]
        labels, inverse = np.unique(key, return_inverse=True)
        return inverse, len(labels)

    @cached_property
    def items(self) -> tuple[np.ndarray, int]:
        """Per scored run, its item's number; how many items."""
        labels, inverse = np.unique(self.item_id[self.scored], return_inverse=True)
        return inverse, len(labels)

    @cached_property
    def scorer_means(self) -> list[dict[str, float]]:
        """Per config, each scorer's mean over its done runs that have it."""
        means: list[dict[str, float]] = [{} for _ in self.hashes]
        for name, values in self.scorer_values.items():
            present = self.done & ~np.isnan(values)
            n = np.bincount(self.config[present], minlength=self.n_configs)
            sums = np.bincount(
                self.config[present], weights=values[present], minlength=self.n_configs
            )
            for j in np.flatnonzero(n):
                means[j][name] = float(sums[j] / n[j])
        return [dict(sorted(m.items())) for m in means]

    def _sweep(self) -> tuple[int, dict | None]:
        found = self.runs.values_list("sweep_id", "sweep__spec")[:1]
        if not found:
            return 0, None
        sweep_id, spec = found[0]
        return sweep_id, spec or None  # sweeps made without a spec: unchecked

    def _scorers(self, every: bool) -> list[str]:
        if not every:
            return self._filter_scorers()
        return self._every_scorer()

    def _every_scorer(self) -> list[str]:
        if self.spec is not None:
            return scorer_names(self.spec)
        names = (
            Score.objects.filter(run__in=self.all_samples.values("pk"))
            .order_by()
            .values_list("scorer", flat=True)
        )
        return sorted(set(names.distinct()))

    def _filter_scorers(self) -> list[str]:
        if self.filters.scorer is not None:
            return [self.filters.scorer]
        if self.filters.stage is not None:
            return stage_scorers(self.spec or {}).get(self.filters.stage, [])
        return []

    def _filtered_values(self) -> np.ndarray:
        """Per run: the filter's scorer's value, or the stage's scorers'
        weighted mean (their plain mean when none of them has a weight)."""
        if self.filters.scorer is not None:
            return self.scorer_values.get(
                self.filters.scorer, np.full(len(self.ids), np.nan)
            )
        stage = stage_scorers(self.spec or {}).get(self.filters.stage or "", [])
        weights = _weights(self.spec or {})
        total = np.zeros(len(self.ids))
        weight = np.zeros(len(self.ids))
        plain = np.zeros(len(self.ids))
        present = np.zeros(len(self.ids))
        for name in stage:
            values = self.scorer_values[name]
            there = ~np.isnan(values)
            total += np.where(there, values * weights.get(name, 0.0), 0.0)
            weight += np.where(there, weights.get(name, 0.0), 0.0)
            plain += np.where(there, values, 0.0)
            present += there
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(weight > 0, total / weight, plain / present)


def _weights(spec: dict) -> dict[str, float]:
    if not spec:
        return {}
    return {
        s.get("name") or s["type"]: float(s.get("weight", 1.0))
        for s in all_scorers(spec)
    }
