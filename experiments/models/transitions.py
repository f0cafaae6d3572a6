"""Sweep queries: conditional status changes, for the engine's lease-checked
UPDATEs (the table itself is ``Sweep.TRANSITIONS``), and the best score."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import OuterRef
from django.utils import timezone


class SweepQuerySet(models.QuerySet):
    def runnable(self) -> SweepQuerySet:
        """Sweeps a runner may hold: queued or running."""
        return self.filter(status__in=self.model.RUNNABLE)

    def with_best_score(self) -> SweepQuerySet:
        """Each sweep's ``best_score``: its latest leaderboard's best
        (``querysets.leaderboard_best``), None before its first."""
        from experiments.models.querysets import leaderboard_best

        return self.annotate(best_score=leaderboard_best(OuterRef("pk")))

    def transition(self, to: str, **fields: Any) -> int:
        """Move every matched sweep whose status can reach ``to`` there (with
        ``fields``), in one UPDATE; return how many moved. The others are left
        as they are: a sweep cancelled while its runner finished stays
        cancelled."""
        if to in self.model.FINAL:
            fields.setdefault("finished_at", timezone.now())
        sources = self.model.sources(to)
        return self.filter(status__in=sources).update(status=to, **fields)
