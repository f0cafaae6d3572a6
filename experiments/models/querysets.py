"""Aggregations as QuerySet methods: leaderboard and cache statistics."""

from __future__ import annotations

import math
import statistics

from django.db import models
from django.db.models import Avg, Count, F, Min, Q, Sum

from experiments.config_labels import stage_rows


class RunQuerySet(models.QuerySet):
    def leaderboard(self) -> list[dict]:
        """One row per config, best mean composite score first.

        ``ci95`` is the normal approximation mean +/- 1.96 * s / sqrt(n) over
        the config's scored runs, clipped to [0, 1]; failed runs count in
        ``errors`` and not in the mean.
        """
        done = Q(status="done")
        rows = list(
            self.values("config_hash").annotate(
                n=Count("id", filter=done & Q(score__isnull=False)),
                mean=Avg("score", filter=done),
                mean_sq=Avg(F("score") * F("score"), filter=done),
                errors=Count("id", filter=Q(status="failed")),
                cost=Sum("cost"),
                first=Min("id"),
            )
        )
        configs = dict(
            self.model.objects.filter(id__in=[r["first"] for r in rows]).values_list(
                "config_hash", "config"
            )
        )
        latencies: dict[str, list[float]] = {}
        for config_hash, latency in self.filter(
            done, latency_ms__isnull=False
        ).values_list("config_hash", "latency_ms"):
            latencies.setdefault(config_hash, []).append(latency)
        board = [self._row(r, configs, latencies) for r in rows]
        board.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["errors"]))
        for rank, row in enumerate(board, 1):
            row["rank"] = rank
        return board

    @staticmethod
    def _row(r: dict, configs: dict, latencies: dict) -> dict:
        n, mean = r["n"], r["mean"]
        if n and mean is not None:
            variance = max(0.0, (r["mean_sq"] or 0.0) - mean * mean)
            if n > 1:
                variance *= n / (n - 1)
            half = 1.96 * math.sqrt(variance / n)
            ci = [round(max(0.0, mean - half), 4), round(min(1.0, mean + half), 4)]
        else:
            ci = None
        config = configs.get(r["config_hash"], {})
        lat = latencies.get(r["config_hash"])
        row = {
            "rank": 0,
            "config_hash": r["config_hash"],
            "config": {
                "prompt": config.get("prompt"),
                "endpoint": config.get("endpoint"),
                "model": config.get("model"),
                "params": config.get("params", {}),
            },
            "score": None if mean is None else round(mean, 4),
            "n": n,
            "ci95": ci,
            "latency_ms_p50": round(statistics.median(lat), 1) if lat else None,
            "cost": round(r["cost"] or 0.0, 6),
            "errors": r["errors"],
        }
        # A pipeline's rows carry every stage's choice (``config`` is the
        # last stage's); a single-stage row keeps exactly its old keys.
        stages = stage_rows(config)
        if stages:
            row["stages"] = stages
        return row


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
