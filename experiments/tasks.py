"""Django-Q tasks. They take primary keys and call services; no logic here."""

from __future__ import annotations

import time

from django.conf import settings

from experiments.models import Run, Sweep
from experiments.services import events, sweeps


def run_sweep_task(sweep_id: int) -> str:
    """Run a sweep for at most the queue's timeout, then hand over to a new
    task so long sweeps never hit the timeout mid-batch."""
    sweep = Sweep.objects.get(pk=sweep_id)
    deadline = time.monotonic() + max(10, settings.TASK_TIMEOUT - 120)
    sweep = sweeps.run_sweep(sweep, deadline=deadline)
    unfinished = sweep.status in Sweep.RUNNABLE
    # A guided search stopped between rungs has no pending run, only more
    # to plan.
    guided = (sweep.strategy or {}).get("type") == "guided"
    if unfinished and (guided or sweep.runs.filter(status=Run.Status.PENDING).exists()):
        sweeps.enqueue_sweep(sweep)
    return sweep.status


def recover_stale_sweeps() -> list[int]:
    return sweeps.recover_stale_sweeps()


def thin_sweep_events() -> int:
    return events.thin_sweep_events()
