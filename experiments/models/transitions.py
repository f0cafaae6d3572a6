"""Conditional status changes of sweeps, for the engine's lease-checked
UPDATEs (the table itself is ``Sweep.TRANSITIONS``)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone


class SweepQuerySet(models.QuerySet):
    def runnable(self) -> SweepQuerySet:
        """Sweeps a runner may hold: queued or running."""
        return self.filter(status__in=self.model.RUNNABLE)

    def transition(self, to: str, **fields: Any) -> int:
        """Move every matched sweep whose status can reach ``to`` there (with
        ``fields``), in one UPDATE; return how many moved. The others are left
        as they are: a sweep cancelled while its runner finished stays
        cancelled."""
        if to in self.model.FINAL:
            fields.setdefault("finished_at", timezone.now())
        sources = self.model.sources(to)
        return self.filter(status__in=sources).update(status=to, **fields)
