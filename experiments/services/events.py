"""The sweep event log's retention: finished sweeps' logs are thinned."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from experiments.engine.events import KEPT_TYPES
from experiments.models import Sweep, SweepEvent

# Sweeps thinned per transaction: a first run over a large log stays in steps.
SWEEPS_PER_STEP = 100


def _retention_days(days: int | None) -> int:
    return settings.EVENT_RETENTION_DAYS if days is None else days


def _finished_before(days: int) -> QuerySet[Sweep]:
    cutoff = timezone.now() - timedelta(days=days)
    return Sweep.objects.filter(status__in=Sweep.FINAL, finished_at__lt=cutoff)


def thinnable_events(sweep_ids: Iterable[int] | QuerySet) -> QuerySet[SweepEvent]:
    """Of these sweeps' events, those thinning removes: every kind but
    ``KEPT_TYPES`` (created, status, steering, guided rungs), except the last of
    its kind."""
    later = SweepEvent.objects.filter(
        sweep=OuterRef("sweep"), type=OuterRef("type"), seq__gt=OuterRef("seq")
    )
    return (
        SweepEvent.objects.filter(sweep__in=sweep_ids)
        .exclude(type__in=KEPT_TYPES)
        .filter(Exists(later))
    )


def count_thinnable(days: int | None = None) -> int:
    days = _retention_days(days)
    if days <= 0:
        return 0
    return thinnable_events(_finished_before(days).values("pk")).count()


def thin_sweep_events(days: int | None = None) -> int:
    """Thin the event logs of sweeps that finished more than ``days`` ago
    (default ``EVENT_RETENTION_DAYS``; 0 keeps everything): progress,
    run.batch and leaderboard events go, but the last of each kind stays,
    and so do every created, status and steering event. The runs, scores
    and the sweep's counters are untouched. Returns how many events went.
    A thinned log has gaps in ``seq``; replay still returns what is left
    in order."""
    days = _retention_days(days)
    if days <= 0:
        return 0
    ids = list(_finished_before(days).order_by("pk").values_list("pk", flat=True))
    deleted = 0
    for start in range(0, len(ids), SWEEPS_PER_STEP):
        with transaction.atomic():
            removed, _ = thinnable_events(ids[start : start + SWEEPS_PER_STEP]).delete()
        deleted += removed
    return deleted
