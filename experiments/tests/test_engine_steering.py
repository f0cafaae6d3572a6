"""Steering a running sweep: pause, resume, cancel, live concurrency."""

from __future__ import annotations

import time

import pytest

from experiments.models import Run, SweepEvent
from experiments.services.sweeps import run_sweep, steer_sweep
from experiments.tests.engine_helpers import (
    extraction_spec,
    fresh,
    in_background,
    start,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def slow_sweep(make_simulator):
    """80 runs at 100 ms each, two at a time: about four seconds of work."""
    sim = make_simulator(latency_ms=100)
    sweep = start(extraction_spec(sim.base_url, n_items=20, concurrency=2))
    return sim, sweep


def test_pause_stops_new_runs_within_a_second_and_resume_finishes(slow_sweep):
    sim, sweep = slow_sweep
    thread = in_background(sweep)
    wait_for(lambda: fresh(sweep).done >= 4)
    steer_sweep(sweep, "pause")
    time.sleep(1.0)  # the runner notices, in-flight calls finish and are kept
    paused = fresh(sweep)
    requests = sim.stats()["requests"]
    time.sleep(1.0)
    assert fresh(sweep).done == paused.done < 80
    assert sim.stats()["requests"] == requests
    assert paused.status == "paused"
    steer_sweep(sweep, "resume")
    thread.join(timeout=60)
    final = fresh(sweep)
    assert (final.status, final.done, final.errors) == ("completed", 80, 0)
    assert sim.stats()["requests"] == 80  # nothing was sent twice
    kinds = list(SweepEvent.objects.filter(sweep=sweep).values_list("type", flat=True))
    assert kinds.count("steering") == 2 and "sweep.progress" in kinds
    seqs = list(SweepEvent.objects.filter(sweep=sweep).values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_cancel_marks_the_rest_cancelled_and_keeps_finished_runs(slow_sweep):
    sim, sweep = slow_sweep
    thread = in_background(sweep)
    wait_for(lambda: fresh(sweep).done >= 4)
    steer_sweep(sweep, "cancel")
    thread.join(timeout=30)
    final = fresh(sweep)
    runs = Run.objects.filter(sweep=sweep)
    assert final.status == "cancelled" and final.finished_at is not None
    assert runs.filter(status="cancelled").count() > 40
    assert runs.filter(status="done").count() == final.done >= 4
    assert runs.filter(status="pending").count() == 0
    assert sim.stats()["requests"] == final.done


def test_concurrency_change_applies_live(make_simulator):
    sim = make_simulator(latency_ms=150)
    sweep = start(extraction_spec(sim.base_url, n_items=20, concurrency=1))
    thread = in_background(sweep)
    wait_for(lambda: fresh(sweep).done >= 2)
    assert sim.stats()["max_in_flight"] == 1
    steer_sweep(sweep, "concurrency", value=8)
    wait_for(lambda: sim.stats()["in_flight"] >= 6, timeout=5)
    steer_sweep(sweep, "cancel")
    thread.join(timeout=30)


def test_steering_a_finished_sweep_is_refused(simulator):
    from experiments.exceptions import Conflict

    sweep = run_sweep(start(extraction_spec(simulator.base_url, n_items=1)))
    with pytest.raises(Conflict, match="completed; it cannot be steered"):
        steer_sweep(sweep, "pause")
    with pytest.raises(Conflict, match="concurrency must be"):
        steer_sweep(start(extraction_spec(simulator.base_url)), "concurrency", value=0)
