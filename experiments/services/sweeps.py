"""Sweeps: create, run (foreground or queued), steer, recover, summarise."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from experiments.engine.endpoints import snapshot as endpoint_snapshot
from experiments.engine.events import publish
from experiments.exceptions import Conflict
from experiments.models import Experiment, Run, Sweep
from experiments.services.projects import require_role

Status = Sweep.Status
STEER_ACTIONS = ("pause", "resume", "cancel", "concurrency")


@transaction.atomic
def create_sweep(
    experiment: Experiment,
    user=None,
    *,
    no_cache: bool = False,
    concurrency: int | None = None,
    strategy: dict | None = None,
    estimated_cost: float | None = None,
) -> Sweep:
    """A queued sweep of the experiment's current spec (snapshotted on it)."""
    require_role(experiment.project, user, "editor")
    spec = dict(experiment.spec)
    if strategy:
        spec["strategy"] = {**spec["strategy"], **strategy}
    sweep = Sweep.objects.create(
        experiment=experiment,
        spec=spec,
        endpoints=endpoint_snapshot(experiment, spec),
        strategy=spec["strategy"],
        concurrency=concurrency or spec.get("concurrency", 16),
        no_cache=no_cache,
        estimated_cost=estimated_cost,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    publish(sweep.pk, "status", {"status": Status.QUEUED})
    return sweep


def run_sweep(
    sweep: Sweep,
    *,
    on_progress: Callable[[Sweep], None] | None = None,
    deadline: float | None = None,
) -> Sweep:
    """Run the sweep in this process until it ends (the CLI and the worker)."""
    from experiments.engine.runner import SweepRunner

    runner = SweepRunner(sweep.pk, on_progress=on_progress, deadline=deadline)
    with heap_set_aside():
        asyncio.run(runner.run())
    sweep.refresh_from_db()
    return sweep


@contextmanager
def heap_set_aside() -> Iterator[None]:
    """Keep the objects that exist before the sweep out of the cyclic GC's
    walks while it runs. Otherwise each full collection re-walks the whole
    Django heap and stalls the event loop with calls in flight (measured in
    the cold benchmark: p99 call time 185 -> 145 ms, wall -3%). Unfrozen
    afterwards, so cycles that were garbage at the start are still freed."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def enqueue_sweep(sweep: Sweep) -> str:
    from django_q.tasks import async_task

    return async_task(
        "experiments.tasks.run_sweep_task",
        sweep.pk,
        task_name=f"sweep-{sweep.pk}",
    )


async def aenqueue_sweep(sweep: Sweep) -> str:
    # async_task touches the ORM broker's database (dependency-notes.md).
    return await sync_to_async(enqueue_sweep)(sweep)


@transaction.atomic
def steer_sweep(
    sweep: Sweep, action: str, user=None, value: int | None = None
) -> Sweep:
    """pause | resume | cancel | concurrency (with ``value``). Applies live:
    the runner reads the sweep row every quarter second."""
    require_role(sweep.experiment.project, user, "editor")
    sweep = Sweep.objects.select_for_update().get(pk=sweep.pk)
    if action not in STEER_ACTIONS:
        raise Conflict(
            f"unknown action {action!r}; use one of {', '.join(STEER_ACTIONS)}"
        )
    if sweep.is_final:
        raise Conflict(f"sweep {sweep.pk} is {sweep.status}; it cannot be steered")
    payload: dict = {"action": action}
    if action == "pause":
        if sweep.status == Status.PAUSED:
            raise Conflict(f"sweep {sweep.pk} is already paused")
        sweep.status = Status.PAUSED
    elif action == "resume":
        if sweep.status != Status.PAUSED:
            raise Conflict(f"sweep {sweep.pk} is {sweep.status}, not paused")
        sweep.status = Status.QUEUED
        if not _runner_alive(sweep):
            transaction.on_commit(lambda: enqueue_sweep(sweep))
    elif action == "cancel":
        sweep.status = Status.CANCELLED
        sweep.finished_at = timezone.now()
        sweep.runs.filter(status=Run.Status.PENDING).update(status=Run.Status.CANCELLED)
    else:
        if value is None or not 1 <= value <= 1024:
            raise Conflict("concurrency must be a number from 1 to 1024")
        sweep.concurrency = payload["concurrency"] = value
    sweep.save(update_fields=["status", "concurrency", "finished_at"])
    publish(sweep.pk, "steer", payload)
    if action != "concurrency":
        publish(sweep.pk, "status", {"status": sweep.status})
    return sweep


def _runner_alive(sweep: Sweep) -> bool:
    if not sweep.lease or sweep.heartbeat_at is None:
        return False
    age = (timezone.now() - sweep.heartbeat_at).total_seconds()
    return age < settings.HEARTBEAT_STALE_S


def recover_stale_sweeps() -> list[int]:
    """Re-enqueue sweeps whose runner died (stale heartbeat), or that were
    queued and never picked up. The broker is not trusted to redeliver."""
    stale = timezone.now() - timedelta(seconds=settings.HEARTBEAT_STALE_S)
    candidates = (
        Sweep.objects.filter(status__in=[Status.QUEUED, Status.RUNNING])
        .exclude(heartbeat_at__gte=stale)
        .exclude(heartbeat_at__isnull=True, created_at__gte=stale)
    )
    recovered = []
    for sweep in candidates:
        enqueue_sweep(sweep)
        recovered.append(sweep.pk)
    return recovered


def _priced(sweep: Sweep) -> bool:
    return bool(sweep.cost) or sweep.runs.filter(cost__isnull=False).exists()


def sweep_summary(sweep: Sweep) -> dict:
    """The object `runexperiment --json` prints (and the API will return)."""
    return {
        "experiment": sweep.experiment.name,
        "sweep_id": sweep.pk,
        "status": sweep.status,
        "planned": sweep.planned,
        "done": sweep.done,
        "errors": sweep.errors,
        "cache_hits": sweep.cache_hits,
        "calls": sweep.calls,
        "duration_s": round(sweep.duration_s or 0.0, 3),
        "tokens": sweep.prompt_tokens + sweep.completion_tokens,
        # None (not 0.0) when no run had a price: unknown, not free.
        "cost": round(sweep.cost, 6) if _priced(sweep) else None,
        "leaderboard": sweep.runs.leaderboard(),
    }
