"""A real qcluster killed with SIGKILL mid-sweep: after a restart the sweep
completes, every run done once, no finished run redone. Runs in both modes
(ORM broker on SQLite, Redis broker in production)."""

from __future__ import annotations

import time

import pytest

from experiments.models import Run, Sweep
from experiments.services.sweeps import enqueue_sweep, recover_stale_sweeps
from experiments.tests.engine_helpers import (
    extraction_spec,
    kill_worker,
    start,
    start_worker,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_sigkilled_worker_sweep_completes_after_restart(
    make_simulator, test_db_env, settings
):
    settings.HEARTBEAT_STALE_S = 2
    env = {**test_db_env, "PROMPTLOOPER_HEARTBEAT_STALE_S": "2"}
    sim = make_simulator(latency_ms=60)
    sweep = start(extraction_spec(sim.base_url, n_items=30, concurrency=4))  # 120 runs
    enqueue_sweep(sweep)
    worker = start_worker(env)
    try:
        wait_for(lambda: Sweep.objects.get(pk=sweep.pk).done >= 30, 60, "progress")
        kill_worker(worker)  # the main process and its forked workers, at once
        finished = dict(
            Run.objects.filter(sweep=sweep, status="done").values_list(
                "id", "finished_at"
            )
        )
        assert 30 <= len(finished) < 120
        time.sleep(2.5)  # the dead runner's heartbeat goes stale
        worker = start_worker(env)
        # The Redis broker lost the task with its worker; recovery re-enqueues
        # (the worker's schedule does this every minute; startsweep --wait too).
        assert recover_stale_sweeps() == [sweep.pk]
        wait_for(
            lambda: Sweep.objects.get(pk=sweep.pk).status == "completed",
            90,
            "completion",
        )
    finally:
        kill_worker(worker)
    final = Sweep.objects.get(pk=sweep.pk)
    runs = Run.objects.filter(sweep=sweep)
    assert runs.count() == 120 == final.planned
    assert runs.filter(status="done").count() == 120 == final.done
    for run_id, finished_at in finished.items():
        assert runs.get(pk=run_id).finished_at == finished_at  # not redone
    # Only calls in flight at the kill, or answered but not yet written (the
    # writer flushes every 0.2 s: ~4 per 60 ms at concurrency 4), were resent.
    assert 120 <= sim.stats()["requests"] <= 120 + 4 + 16
