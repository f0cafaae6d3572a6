"""Aggregations as QuerySet methods: a sweep's analyses (leaderboard, Pareto
fronts, marginals, heatmap) and cache statistics."""

from __future__ import annotations

from django.db import models
from django.db.models import Count, F, Sum


class RunQuerySet(models.QuerySet):
    """The analyses of one sweep's runs (``experiments.analysis``): each
    reads the runs once; ``scorer``, ``stage`` and ``sample`` choose what is
    ranked (docs/api.md, "Analysis")."""

    def leaderboard(
        self,
        scorer: str | None = None,
        stage: str | None = None,
        sample: int | None = None,
    ) -> list[dict]:
        """One row per config, best mean score first: its mean, n and seeded
        bootstrap interval, per-scorer means, errors, cache hits, tokens,
        cost, latency, the test against the best and the Pareto marks.
        Failed runs count in ``errors`` and not in the mean."""
        from experiments.analysis.sweep import analysis

        return analysis(self, _filters(scorer, stage, sample)).leaderboard()

    def pareto(
        self,
        scorer: str | None = None,
        stage: str | None = None,
        sample: int | None = None,
    ) -> dict:
        """Score against cost per run and against latency p50: per config,
        whether it is on the front and the score it gives up."""
        from experiments.analysis.sweep import analysis

        return analysis(self, _filters(scorer, stage, sample), "pareto").pareto()

    def marginals(
        self,
        scorer: str | None = None,
        stage: str | None = None,
        sample: int | None = None,
    ) -> dict:
        """Per varied axis, the mean score per value and the share of the
        variance the axis explains."""
        from experiments.analysis.marginals import AxisAnalysis
        from experiments.analysis.sweep import analysis

        found = analysis(self, _filters(scorer, stage, sample), "marginals")
        return AxisAnalysis(found).marginals()

    def heatmap(
        self,
        x: str | None = None,
        y: str | None = None,
        scorer: str | None = None,
        stage: str | None = None,
        sample: int | None = None,
    ) -> dict:
        """The mean score over two axes (``prompt`` x ``model`` by default)."""
        from experiments.analysis.marginals import AxisAnalysis
        from experiments.analysis.sweep import analysis

        found = analysis(self, _filters(scorer, stage, sample), "heatmap")
        return AxisAnalysis(found).heatmap(x, y)


def _filters(scorer: str | None, stage: str | None, sample: int | None):
    from experiments.analysis.data import Filters

    return Filters(scorer=scorer, stage=stage, sample=sample)


_CACHE_TOTALS = {
    "entries": Count("id"),
    "hits": Sum("hit_count"),
    # A hit saved one call and the cost the entry's call had.
    "cost_saved": Sum(F("hit_count") * F("cost")),
}


class CachedResponseQuerySet(models.QuerySet):
    def stats(self) -> dict:
        """Entries, hits, and the calls and cost the hits saved."""
        return _cache_stats(self.aggregate(**_CACHE_TOTALS))

    def stats_by_project(self) -> dict[int | None, dict]:
        """``stats()`` per project id, in one grouped query (entries of the
        global cache scope have no project: key None). Projects without
        entries are absent: see ``EMPTY_CACHE_STATS``."""
        # order_by(): the model's ordering would otherwise join the GROUP BY.
        rows = self.order_by().values("project").annotate(**_CACHE_TOTALS)
        return {row["project"]: _cache_stats(row) for row in rows}


def _cache_stats(totals: dict) -> dict:
    return {
        "entries": totals["entries"],
        "hits": totals["hits"] or 0,
        "calls_saved": totals["hits"] or 0,
        "cost_saved": round(totals["cost_saved"] or 0.0, 6),
    }


EMPTY_CACHE_STATS = _cache_stats({"entries": 0, "hits": None, "cost_saved": None})
