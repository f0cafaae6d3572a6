"""A guided sweep stopped mid-search (its runner past a deadline, or its
worker SIGKILLed) carries on from its stored runs: the search replays to
where it was (the same asks, the stored rungs read back, not run again) and
ends with the decisions an uninterrupted sweep makes."""

from __future__ import annotations

import time

import pytest

from experiments.models import Run, Sweep
from experiments.services.sweeps import enqueue_sweep, recover_stale_sweeps, run_sweep
from experiments.tests.engine_helpers import (
    kill_worker,
    run,
    start,
    start_worker,
    wait_for,
)
from experiments.tests.guided_world import decisions, rungs, world

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _finished(sweep: Sweep) -> dict[int, object]:
    return dict(
        Run.objects.filter(sweep=sweep, status="done").values_list("id", "finished_at")
    )


def test_a_stopped_guided_sweep_resumes_where_it_stopped(make_simulator):
    sim = make_simulator(latency_ms=40)
    reference = run(world(sim.base_url), no_cache=True)
    sim.reset()
    sweep = start(world(sim.base_url, concurrency=2), no_cache=True)  # ~1.1 s
    stopped = run_sweep(sweep, deadline=time.monotonic() + 0.6)
    finished = _finished(sweep)
    assert stopped.status == "running" and 0 < len(finished) < reference.done
    resumed = run_sweep(Sweep.objects.get(pk=sweep.pk))
    assert resumed.status == "completed"
    assert decisions(resumed) == decisions(reference)
    assert resumed.done == reference.done
    for run_id, finished_at in _finished(sweep).items():
        if run_id in finished:
            assert finished[run_id] == finished_at  # not redone
    # Calls in flight at the stop are written; a replay repeats none.
    assert sim.stats()["requests"] == resumed.calls <= 60
    # Each rung is announced once, though the replay decided it again.
    assert len(rungs(resumed)) == len(rungs(reference))


def test_sigkilled_worker_guided_sweep_completes_after_restart(
    make_simulator, test_db_env, settings
):
    settings.HEARTBEAT_STALE_S = 2
    env = {**test_db_env, "PROMPTLOOPER_HEARTBEAT_STALE_S": "2"}
    sim = make_simulator(latency_ms=60)
    reference = run(world(sim.base_url), no_cache=True)
    sim.reset()
    sweep = start(world(sim.base_url, concurrency=2), no_cache=True)
    enqueue_sweep(sweep)
    worker = start_worker(env)
    try:
        # Into the second rung: the first's decision is stored.
        wait_for(lambda: len(rungs(sweep)) >= 1, 60, "the first rung")
        wait_for(lambda: Sweep.objects.get(pk=sweep.pk).done >= 30, 60, "progress")
        kill_worker(worker)
        finished = _finished(sweep)
        assert 30 <= len(finished) < reference.done
        time.sleep(2.5)  # the dead runner's heartbeat goes stale
        worker = start_worker(env)
        assert recover_stale_sweeps() == [sweep.pk]
        wait_for(
            lambda: Sweep.objects.get(pk=sweep.pk).status == "completed",
            90,
            "completion",
        )
    finally:
        kill_worker(worker)
    final = Sweep.objects.get(pk=sweep.pk)
    assert decisions(final) == decisions(reference)
    assert final.done == reference.done == Run.objects.filter(sweep=final).count()
    for run_id, finished_at in finished.items():
        assert Run.objects.get(pk=run_id).finished_at == finished_at  # not redone
    # Only calls in flight at the kill, or answered but not yet written (the
    # writer flushes every 0.25 s: ~8 at 60 ms and concurrency 2, more on a
    # busy machine), were resent.
    assert reference.calls <= sim.stats()["requests"] <= reference.calls + 2 + 16
