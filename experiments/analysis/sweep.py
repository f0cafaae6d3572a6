"""The analysis of one sweep: leaderboard rows with bootstrap intervals, each
config tested against the best, Pareto fronts. ``marginals`` adds what each
axis explains. Entry points take a queryset of one sweep's runs
(``RunQuerySet`` delegates here) and ``Filters``.

Reproducible: every resampling is seeded with the sweep's id. Two kinds of
unit are resampled, as docs/api.md ("Analysis") states: a config's interval
resamples (item, sample) pairs, the same draws for every config; the test
against the best pairs the configs item by item (the mean over samples
first) and resamples items.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np
from django.db.models import QuerySet

from experiments.analysis import groups
from experiments.analysis.data import Filters, SweepData
from experiments.analysis.read import FIELDS
from experiments.analysis.resample import Draws, intervals, paired
from experiments.analysis.stats import distance_to_front, holm, pareto_front
from experiments.analysis.trace_usage import stage_usage
from experiments.config_labels import row_label, stage_rows

TIED_P = 0.05  # adjusted p-values at or above it: tied with the best
FRONTS = {"cost": "cost_per_run", "latency": "latency_ms_p50"}


def rounded(value, digits: int = 4) -> float | None:
    """A JSON-safe float: None for NaN/None, else rounded."""
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), digits)


class SweepAnalysis:
    """Computed once per request; each part when first asked for."""

    def __init__(self, data: SweepData):
        self.data = data
        self._draws: dict[int, Draws] = {}
        d, c = data, data.n_configs
        self.n = groups.count(d.config[d.scored], c)
        self.sums = groups.total(d.config[d.scored], d.value[d.scored], c)
        finished = d.done | d.failed
        self.finished = groups.count(d.config[finished], c)
        self.errors = groups.count(d.config[d.failed], c)
        self.cache_hits = groups.count(d.config[finished & d.cache_hit], c)
        self.cost_total = groups.total(d.config, d.cost, c)
        self.priced = groups.count(d.config[~np.isnan(d.cost)], c)
        self.prompt_tokens = groups.total(
            d.config[finished], d.prompt_tokens[finished], c
        )
        self.completion_tokens = groups.total(
            d.config[finished], d.completion_tokens[finished], c
        )
        self.items_seen = _items_per_config(d)
        timed = d.done & ~np.isnan(d.latency)
        self.p50, self.p95 = groups.percentiles(
            d.config[timed], d.latency[timed], c, [50, 95]
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            self.mean = np.where(self.n > 0, self.sums / np.maximum(self.n, 1), np.nan)
            self.cost_per_run = np.where(
                self.priced > 0, self.cost_total / np.maximum(self.priced, 1), np.nan
            )

    # --- ranking and intervals ----------------------------------------------

    @cached_property
    def scores(self) -> list[float | None]:
        return [rounded(m) for m in self.mean]

    @cached_property
    def order(self) -> list[int]:
        """Configs best first: the higher mean (as shown, to 4 places), then
        fewer errors, then unscored last; the planner's order breaks ties.
        A guided sweep ranks the configs that saw more items first: its
        pick is the best of those evaluated on every item, not a config
        that was lucky on the first few and dropped."""
        guided = ((self.data.spec or {}).get("strategy") or {}).get("type") == "guided"
        return sorted(
            range(self.data.n_configs),
            key=lambda j: (
                self.scores[j] is None,
                -int(self.items_seen[j]) if guided else 0,
                -(self.scores[j] or 0),
                self.errors[j],
            ),
        )

    def draws(self, n_units: int) -> Draws:
        """The seeded draws of ``n_units`` units, made once per analysis
        (with one sample, items and (item, sample) pairs are as many)."""
        if n_units not in self._draws:
            self._draws[n_units] = Draws(n_units, self.data.seed)
        return self._draws[n_units]

    @property
    def unit_draws(self) -> Draws:
        """Draws of (item, sample) pairs: intervals of means."""
        return self.draws(self.data.units[1])

    @cached_property
    def ci95(self) -> list[tuple[float, float] | None]:
        d = self.data
        units, n_units = d.units
        sums, counts = groups.table(
            units, d.config[d.scored], d.value[d.scored], (n_units, d.n_configs)
        )
        return intervals(self.unit_draws, sums, counts)

    @cached_property
    def item_table(self) -> tuple[np.ndarray, np.ndarray]:
        d = self.data
        items, n_items = d.items
        return groups.table(
            items, d.config[d.scored], d.value[d.scored], (n_items, d.n_configs)
        )

    # --- significance -------------------------------------------------------

    @cached_property
    def significance(self) -> list[dict]:
        """Per config: ``tied_with_best`` (Holm-adjusted p >= 0.05 over all the
        comparisons), ``p_value`` (adjusted), ``delta`` (its mean minus the
        best's, per item, on the items both have) with ``delta_ci95``, and
        ``paired_items``. The best itself is tied with no test."""
        c = self.data.n_configs
        empty: dict[str, Any] = {
            "tied_with_best": False, "p_value": None, "delta": None,
            "delta_ci95": None, "paired_items": 0}  # fmt: skip
        out = [dict(empty) for _ in range(c)]
        if not c or self.scores[self.order[0]] is None:
            return out
        best = self.order[0]
        out[best].update(tied_with_best=True, delta=0.0)
        sums, counts = self.item_table
        present = counts > 0
        item_means = sums / np.where(present, counts, 1)
        others = [j for j in range(c) if j != best and self.n[j] > 0]
        shared = present[:, others] & present[:, [best]]
        diffs = item_means[:, others] - item_means[:, [best]]
        tests = paired(self.draws(len(sums)), diffs, shared)
        tested = [(j, t) for j, t in zip(others, tests, strict=True) if t]
        adjusted = holm([t[2] for _, t in tested])
        for (j, (delta, ci, _, n)), p in zip(tested, adjusted, strict=True):
            out[j].update(
                tied_with_best=p >= TIED_P,
                p_value=rounded(p),
                delta=rounded(delta),
                delta_ci95=[rounded(ci[0]), rounded(ci[1])],
                paired_items=n,
            )
        return out

    @cached_property
    def sample_variance(self) -> list[float | None]:
        """With samples > 1, per config the mean over items of the variance
        across its samples (items with two or more scored samples)."""
        d = self.data
        if d.samples < 2:
            return [None] * d.n_configs
        sums, counts = self.item_table
        items, n_items = d.items
        squares, _ = groups.table(
            items, d.config[d.scored], d.value[d.scored] ** 2, (n_items, d.n_configs)
        )
        several = counts >= 2
        with np.errstate(invalid="ignore", divide="ignore"):
            var = (squares - sums**2 / np.maximum(counts, 1)) / (counts - 1)
        var = np.where(several, np.clip(var, 0, None), 0.0)
        k = several.sum(axis=0)
        return [
            rounded(var[:, j].sum() / k[j], 6) if k[j] else None
            for j in range(d.n_configs)
        ]

    # --- Pareto -------------------------------------------------------------

    @cached_property
    def fronts(self) -> dict[str, list[tuple[bool, float] | None]]:
        """Per front (score vs cost per run, vs latency p50), per config:
        (on the front, the score it gives up); None without both values."""
        out = {}
        for name, x in (("cost", self.cost_per_run), ("latency", self.p50)):
            points = [j for j in range(self.data.n_configs)
                      if self.n[j] and np.isfinite(x[j])]  # fmt: skip
            score, cost = self.mean[points].tolist(), x[points].tolist()
            front = pareto_front(score, cost)
            gaps = distance_to_front(score, cost, front)
            result: list[tuple[bool, float] | None] = [None] * self.data.n_configs
            for j, on, gap in zip(points, front, gaps, strict=True):
                result[j] = (on, gap)
            out[name] = result
        return out

    # --- rows ---------------------------------------------------------------

    def config_head(self, j: int) -> dict:
        """The config's identity as every answer shows it."""
        config = self.data.configs[j]
        head: dict[str, Any] = {
            "config_hash": self.data.hashes[j],
            "config": {
                "prompt": config.get("prompt"),
                "endpoint": config.get("endpoint"),
                "model": config.get("model"),
                "params": config.get("params", {}),
            },
        }
        stages = stage_rows(config)
        if stages:
            head["stages"] = stages
        return head

    def leaderboard(self) -> list[dict]:
        usage = stage_usage(self.data) if self.data.is_pipeline else {}
        rows = []
        for rank, j in enumerate(self.order, 1):
            ci = self.ci95[j]
            row = {"rank": rank, **self.config_head(j)}
            stages = row.pop("stages", None)
            row.update(
                score=self.scores[j],
                n=int(self.n[j]),
                ci95=None if ci is None else [rounded(ci[0]), rounded(ci[1])],
                latency_ms_p50=rounded(self.p50[j], 1),
                cost=round(float(self.cost_total[j]), 6),
                errors=int(self.errors[j]),
                scores={k: rounded(v) for k, v in self.data.scorer_means[j].items()},
                runs=int(self.finished[j]),
                items=int(self.items_seen[j]),
                error_rate=self._rate(self.errors[j], self.finished[j]),
                cache_hit_rate=self._rate(self.cache_hits[j], self.finished[j]),
                prompt_tokens=int(self.prompt_tokens[j]),
                completion_tokens=int(self.completion_tokens[j]),
                cost_per_run=rounded(self.cost_per_run[j], 8),
                cost_total=round(float(self.cost_total[j]), 6),
                latency_ms_p95=rounded(self.p95[j], 1),
                **self.significance[j],
                sample_variance=self.sample_variance[j],
                on_front={k: _on(f[j]) for k, f in self.fronts.items()},
            )
            if stages:
                row["stages"] = stages
                row["stage_usage"] = usage.get(self.data.hashes[j], [])
            rows.append(row)
        return rows

    def pareto(self) -> dict:
        out: dict = {"filters": self.data.filters.as_dict()}
        for name, front in self.fronts.items():
            x = self.cost_per_run if name == "cost" else self.p50
            points = []
            for j in self.order:
                mark = front[j]
                if mark is None:
                    continue
                head = self.config_head(j)
                points.append({
                    **head,
                    "stages": head.get("stages", []),
                    "label": row_label(head),
                    "score": self.scores[j],
                    FRONTS[name]: rounded(x[j], 8 if name == "cost" else 1),
                    "on_front": mark[0],
                    "distance": rounded(mark[1]),
                })  # fmt: skip
            points.sort(key=lambda p: (p[FRONTS[name]], -(p["score"] or 0)))
            out[name] = points
        return out

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(float(part) / float(whole), 4) if whole else None


# What each answer reads of the runs beyond their config, status and score
# (every column read costs on a large sweep), and whether every scorer's
# values (per-scorer means) or only the filter's.
READS: dict[str, tuple[tuple[str, ...], bool]] = {
    "leaderboard": (FIELDS, True),
    "pareto": (("cost", "latency_ms"), False),
    "marginals": (("item_id", "sample_index"), False),
    "heatmap": ((), False),
}


def _on(mark: tuple[bool, float] | None) -> bool | None:
    return None if mark is None else mark[0]


def analysis(
    runs: QuerySet, filters: Filters | None = None, reads: str = "leaderboard"
) -> SweepAnalysis:
    """The analysis of ``runs`` (one sweep's), reading what ``reads`` (an
    answer of ``READS``) needs."""
    fields, every_scorer = READS[reads]
    return SweepAnalysis(SweepData(runs, filters, fields, every_scorer))


def _items_per_config(d: SweepData) -> np.ndarray:
    """Per config, how many distinct items its scored runs cover."""
    config, item = d.config[d.scored], d.item_id[d.scored]
    span = int(item.max(initial=0)) + 1
    pairs = np.unique(config.astype(np.int64) * span + item)
    return np.bincount(pairs // span, minlength=d.n_configs)
