"""Steering a guided sweep mid-search: pause holds it (within a rung or
between rungs), resume carries on to the same decisions, cancel ends it with
no rung after, and a concurrency change applies live."""

from __future__ import annotations

import time

import pytest

from experiments.models import Run
from experiments.services.sweeps import steer_sweep
from experiments.tests.engine_helpers import fresh, in_background, run, start, wait_for
from experiments.tests.guided_world import decisions, rungs, world

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sim(make_simulator):
    return make_simulator(latency_ms=60)


def test_pause_holds_a_guided_search_and_resume_ends_it_as_unpaused(sim):
    reference = run(world(sim.base_url), no_cache=True)
    sim.reset()
    sweep = start(world(sim.base_url, concurrency=2), no_cache=True)
    thread = in_background(sweep)
    wait_for(lambda: len(rungs(sweep)) >= 1)  # past the first rung's decision
    steer_sweep(sweep, "pause")
    time.sleep(0.8)  # the runner notices; calls out finish and are kept
    paused, requests = fresh(sweep), sim.stats()["requests"]
    time.sleep(0.8)
    assert paused.status == "paused" and fresh(sweep).done == paused.done
    assert sim.stats()["requests"] == requests < reference.calls
    steer_sweep(sweep, "resume")
    thread.join(timeout=60)
    final = fresh(sweep)
    assert final.status == "completed"
    assert decisions(final) == decisions(reference)
    assert sim.stats()["requests"] == final.calls == reference.calls


def test_cancel_ends_a_guided_search_with_no_rung_after(sim):
    sweep = start(world(sim.base_url, concurrency=2), no_cache=True)
    thread = in_background(sweep)
    wait_for(lambda: len(rungs(sweep)) >= 1)
    steer_sweep(sweep, "cancel")
    announced = len(rungs(sweep))
    thread.join(timeout=30)
    final = fresh(sweep)
    assert final.status == "cancelled" and final.finished_at is not None
    assert len(rungs(final)) <= announced + 1  # at most the one being decided
    assert not Run.objects.filter(sweep=sweep, status="pending").exists()
    assert sim.stats()["requests"] == final.calls
    time.sleep(0.5)
    assert sim.stats()["requests"] == final.calls  # nothing after the end


def test_concurrency_change_applies_live_to_a_guided_search(make_simulator):
    sim = make_simulator(latency_ms=150)
    sweep = start(world(sim.base_url, concurrency=1), no_cache=True)
    thread = in_background(sweep)
    wait_for(lambda: fresh(sweep).done >= 2)
    assert sim.stats()["max_in_flight"] == 1
    steer_sweep(sweep, "concurrency", value=8)
    wait_for(lambda: sim.stats()["in_flight"] >= 6, timeout=5)
    steer_sweep(sweep, "cancel")
    thread.join(timeout=30)
    assert fresh(sweep).status == "cancelled"
