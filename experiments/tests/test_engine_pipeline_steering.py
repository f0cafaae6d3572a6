"""Steering a pipeline sweep: pause and resume, cancel."""

from __future__ import annotations

import pytest

from experiments.models import Run
from experiments.services.sweeps import steer_sweep
from experiments.tests.engine_helpers import fresh, in_background, start, wait_for
from experiments.tests.test_engine_pipelines import pipeline_spec

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
N = 8  # items: 3N + 9N calls of 50 ms, two at a time, about 2.5 s


@pytest.fixture
def slow_pipeline(make_simulator):
    sim = make_simulator(latency_ms=50)
    spec = pipeline_spec(sim.base_url, concurrency=2)
    spec["dataset"]["items"] = [
        {"input": {"passage": f"Ada {i} met Charles in London."}} for i in range(N)
    ]
    return sim, start(spec)


def test_pause_holds_every_stage_and_resume_sends_nothing_twice(slow_pipeline):
    sim, sweep = slow_pipeline
    thread = in_background(sweep)
    wait_for(lambda: fresh(sweep).done >= 3)
    steer_sweep(sweep, "pause")
    wait_for(lambda: fresh(sweep).status == "paused")
    import time

    time.sleep(0.6)  # in-flight calls come back; nothing new goes out
    requests = sim.stats()["requests"]
    time.sleep(0.6)
    assert sim.stats()["requests"] == requests < 12 * N
    steer_sweep(sweep, "resume")
    thread.join(timeout=60)
    final = fresh(sweep)
    assert (final.status, final.done, final.errors) == ("completed", 9 * N, 0)
    assert sim.stats()["requests"] == 3 * N + 9 * N == final.calls


def test_cancel_keeps_finished_runs_and_counts_unique_calls(slow_pipeline):
    sim, sweep = slow_pipeline
    thread = in_background(sweep)
    wait_for(lambda: fresh(sweep).done >= 3)
    steer_sweep(sweep, "cancel")
    thread.join(timeout=30)
    final = fresh(sweep)
    runs = Run.objects.filter(sweep=sweep)
    assert final.status == "cancelled"
    assert runs.filter(status="pending").count() == 0
    assert runs.filter(status="done").count() == final.done >= 3
    assert sim.stats()["requests"] == final.calls


def test_a_sweep_stopped_between_stages_resumes_without_calling_twice(
    slow_pipeline,
):
    import time

    from experiments.services.sweeps import run_sweep

    sim, sweep = slow_pipeline
    # The task deadline stops the runner mid-sweep, as a long sweep's does.
    stopped = run_sweep(sweep, deadline=time.monotonic() + 0.8)
    assert stopped.done < 9 * N
    assert Run.objects.filter(sweep=sweep, status="pending").exists()
    final = run_sweep(fresh(sweep))
    assert (final.status, final.done, final.errors) == ("completed", 9 * N, 0)
    # Earlier stages answered before the stop come from the cache.
    assert sim.stats()["requests"] == 3 * N + 9 * N == final.calls
