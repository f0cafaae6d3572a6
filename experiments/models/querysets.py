"""Aggregations as QuerySet methods: a sweep's analyses (leaderboard, Pareto
fronts, marginals, heatmap), cache statistics and the experiments' summary."""

from __future__ import annotations

from django.db import models
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce


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
        return cache_stats(self.aggregate(**_CACHE_TOTALS))

    def stats_by_project(self) -> dict[int | None, dict]:
        """``stats()`` per project id, in one grouped query (entries of the
        global cache scope have no project: key None). Projects without
        entries are absent: see ``EMPTY_CACHE_STATS``."""
        # order_by(): the model's ordering would otherwise join the GROUP BY.
        rows = self.order_by().values("project").annotate(**_CACHE_TOTALS)
        return {row["project"]: cache_stats(row) for row in rows}


def cache_stats(totals: dict) -> dict:
    return {
        "entries": totals["entries"],
        "hits": totals["hits"] or 0,
        "calls_saved": totals["hits"] or 0,
        "cost_saved": round(totals["cost_saved"] or 0.0, 6),
    }


EMPTY_CACHE_STATS = cache_stats({"entries": 0, "hits": None, "cost_saved": None})


def leaderboard_best(sweep: OuterRef) -> Subquery:
    """The best config's mean score on the sweep's latest ``leaderboard``
    event (its first row): the runner publishes one as runs land and a final
    one when the sweep ends, and event retention keeps the last. None before
    the first. One indexed read, where the analysis would read every run."""
    from experiments.models.sweeps import SweepEvent

    board = SweepEvent.objects.filter(sweep_id=sweep, type="leaderboard")
    score = "payload__rows__0__score"
    best = Case(
        # A JSON null (no config scored) reads "null" as text on SQLite,
        # which would cast to 0.
        When(Q(**{score: None}), then=Value(None)),
        default=Cast(KeyTextTransform.from_lookup(score), FloatField()),
        output_field=FloatField(),
    )
    return Subquery(board.order_by("-seq").annotate(best=best).values("best")[:1])


class ExperimentQuerySet(models.QuerySet):
    def with_summary(self) -> ExperimentQuerySet:
        """Per experiment, in the same query: its number of sweeps, its last
        sweep's id, status, progress and times (``last_sweep_*``) and best
        score (``leaderboard_best``). The promotions, for the labels' current
        ones, come in one more query (``promotion_history``, latest first)."""
        from experiments.models.promotions import Promotion
        from experiments.models.sweeps import Sweep

        sweeps = Sweep.objects.filter(experiment=OuterRef("pk"))
        last = sweeps.order_by("-created_at", "-id")
        counted = sweeps.order_by().values("experiment").annotate(n=Count("pk"))
        fields = (
            "status",
            "planned",
            "done",
            "created_at",
            "started_at",
            "finished_at",
        )
        return self.annotate(
            sweep_count=Coalesce(Subquery(counted.values("n")), 0),
            last_sweep_id=Subquery(last.values("pk")[:1]),
            **{f"last_sweep_{f}": Subquery(last.values(f)[:1]) for f in fields},
            last_sweep_best_score=leaderboard_best(OuterRef("last_sweep_id")),
        ).prefetch_related(
            Prefetch(
                "promotions",
                queryset=Promotion.objects.select_related("promoted_by")
                .only(
                    "experiment_id",
                    "label",
                    "config_hash",
                    "sweep_number",
                    "promoted_at",
                    "promoted_by__username",
                )
                .order_by("-promoted_at", "-id"),
                to_attr="promotion_history",
            )
        )
