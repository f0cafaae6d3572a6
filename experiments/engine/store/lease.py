"""The sweep row's side of a run: its lease (who runs it), heartbeat and
status. Status changes go through ``Sweep.objects.transition``,
each a conditional UPDATE that also checks the lease."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from experiments.engine.events import publish
from experiments.engine.store.reports import publish_leaderboard
from experiments.models import Run, Sweep

Status = Sweep.Status


def claim(sweep_id: int) -> str | None:
    """Take the sweep's lease unless a live runner holds it. Returns the token."""
    token = uuid.uuid4().hex
    now = timezone.now()
    stale = now - timedelta(seconds=settings.HEARTBEAT_STALE_S)
    free = Q(lease="") | Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stale)
    taken = (
        Sweep.objects.filter(pk=sweep_id)
        .runnable()
        .filter(free)
        .update(lease=token, heartbeat_at=now)
    )
    return token if taken else None


def start(sweep_id: int, token: str) -> None:
    """A queued sweep we hold is running now (at the start, or resumed)."""
    now = timezone.now()
    updated = Sweep.objects.filter(
        pk=sweep_id, lease=token, status=Status.QUEUED
    ).transition(Status.RUNNING, started_at=now)
    Sweep.objects.filter(pk=sweep_id, started_at__isnull=True).update(started_at=now)
    if updated:
        publish(sweep_id, "sweep.status", {"status": Status.RUNNING, "error": ""})


def control(sweep_id: int, token: str) -> tuple[str, int, bool]:
    """(status, concurrency, still ours), and a heartbeat while we are at it."""
    Sweep.objects.filter(pk=sweep_id, lease=token).update(heartbeat_at=timezone.now())
    status, concurrency, lease = Sweep.objects.values_list(
        "status", "concurrency", "lease"
    ).get(pk=sweep_id)
    return status, concurrency, lease == token


def finish(sweep_id: int, token: str, error: str = "", more: bool = False) -> str:
    """Close the sweep if nothing is pending (and, with ``more``, the runner
    has not stopped before planning all its runs: a guided search between
    rungs), give up its lease, return its status. A sweep in which no run
    succeeded failed: CI trusts the exit code it leads to. One with some
    successes completed, its failed runs counted in ``errors``. A sweep that
    reached a final status meanwhile (a cancel) keeps it."""
    sweep = Sweep.objects.get(pk=sweep_id)
    if sweep.lease != token:
        return sweep.status
    pending = sweep.runs.filter(status=Run.Status.PENDING).exists()
    new: str
    if error:
        new = Status.FAILED
    elif sweep.status == Status.CANCELLED or pending or more:
        new = sweep.status
    elif not sweep.runs.filter(status=Run.Status.DONE).exists():
        new = Status.FAILED
        error = f"no run succeeded ({sweep.errors} of {sweep.planned} failed)"
    else:
        new = Status.COMPLETED
    ours = Sweep.objects.filter(pk=sweep_id, lease=token)
    if new == sweep.status:
        fields: dict = {"lease": ""}
        if new in Sweep.FINAL and sweep.finished_at is None:
            fields["finished_at"] = timezone.now()
        ours.update(**fields)
        if new in Sweep.FINAL:  # cancelled: runs may have landed since
            publish_leaderboard(sweep_id, final=True)
        return new
    fields = {"lease": "", "error_message": error[:2000]} if error else {"lease": ""}
    if not ours.transition(new, **fields):
        ours.update(lease="")  # its status changed meanwhile, and stays
        return Sweep.objects.values_list("status", flat=True).get(pk=sweep_id)
    if new in Sweep.FINAL:  # the board as it ends, before the status says so
        publish_leaderboard(sweep_id, final=True)
    publish(sweep_id, "sweep.status", {"status": new, "error": error})
    return new
