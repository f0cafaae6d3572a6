"""Pipelines when things go wrong: a real worker SIGKILLed mid-pipeline
resumes without repeating stage calls, and a second-stage model the server
does not know fails fast without touching the first stage. Requests are
counted at the simulator; both run in this suite's mode (SQLite and the ORM
broker, or PostgreSQL and Redis)."""

from __future__ import annotations

import time

import pytest

from experiments.models import Run, Sweep
from experiments.services.sweeps import enqueue_sweep, recover_stale_sweeps
from experiments.tests.engine_helpers import (
    kill_worker,
    run,
    start,
    start_worker,
    wait_for,
)
from experiments.tests.test_engine_pipelines import pipeline_spec

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.slow
def test_a_sigkilled_worker_resumes_a_pipeline_without_repeating_stage_calls(
    make_simulator, test_db_env, settings
):
    n = 20  # items: 9n = 180 runs, 3n + 9n = 240 unique stage calls
    settings.HEARTBEAT_STALE_S = 2
    env = {**test_db_env, "PROMPTLOOPER_HEARTBEAT_STALE_S": "2"}
    sim = make_simulator(latency_ms=60)
    spec = pipeline_spec(sim.base_url, concurrency=4)
    spec["dataset"]["items"] = [
        {"input": {"passage": f"Ada {i} met Charles in London."}} for i in range(n)
    ]
    sweep = start(spec)
    enqueue_sweep(sweep)
    worker = start_worker(env)
    try:
        wait_for(lambda: Sweep.objects.get(pk=sweep.pk).done >= 30, 60, "progress")
        kill_worker(worker)  # mid-pipeline: runs wait between their stages
        finished = dict(
            Run.objects.filter(sweep=sweep, status="done").values_list(
                "id", "finished_at"
            )
        )
        assert 30 <= len(finished) < 9 * n
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
    runs = Run.objects.filter(sweep=sweep)
    assert runs.filter(status="done").count() == 9 * n == final.done
    assert final.errors == 0
    for run_id, finished_at in finished.items():
        assert runs.get(pk=run_id).finished_at == finished_at  # not redone
    assert all(
        [t["stage"] for t in trace] == ["extract", "normalise"]
        for trace in runs.values_list("trace", flat=True)
    )
    # Stage answers written before the kill come from the cache. Resent: only
    # the calls in flight at the kill (concurrency 4) and those answered but
    # not yet written (the writer flushes every 0.2 s: ~14 at 60 ms x 4).
    by_model = sim.stats()["by_model"]
    extract, normalise = by_model["sim-echo"], by_model["sim-extractor"]
    assert 3 * n <= extract and 9 * n <= normalise
    assert extract + normalise <= 3 * n + 9 * n + 4 + 16


def test_an_unknown_second_stage_model_fails_fast_naming_the_stage(simulator):
    n = 6  # items
    spec = pipeline_spec(simulator.base_url, concurrency=1)
    spec["dataset"]["items"] = [
        {"input": {"passage": f"Grace {i} visited Paris."}} for i in range(n)
    ]
    spec["stages"][1]["prompts"] = spec["stages"][1]["prompts"][:1]
    spec["stages"][1]["models"] = [
        {"endpoint": "sim", "model": "sim-extractor"},
        {"endpoint": "sim", "model": "sim-gone"},  # the simulator answers 404
    ]
    sweep = run(spec)
    assert sweep.status == "completed"  # the other second stage worked
    runs = Run.objects.filter(sweep=sweep)
    gone = runs.filter(config__model="sim-gone")
    assert gone.count() == 3 * n == gone.filter(status="failed").count()
    assert sweep.errors == 3 * n
    # Three 404s in a row, then the model's remaining runs are not sent.
    assert gone.filter(error_kind="http_404").count() == 3
    assert gone.filter(error_kind="skipped").count() == 3 * n - 3
    assert all(r.error_message.startswith('stage "normalise": ') for r in gone)
    skipped = gone.filter(error_kind="skipped").first()
    assert "sim/sim-gone failed 3 times in a row" in skipped.error_message
    # The first stage is untouched: each extract request sent once, answered,
    # and shared by the failed runs as by the good ones.
    for trace in gone.values_list("trace", flat=True):
        first, second = trace
        assert first["stage"] == "extract" and not first["error"]
        assert first["output"]
        assert second["stage"] == "normalise" and second["error"]
    assert runs.filter(config__model="sim-extractor", status="done").count() == 3 * n
    stats = simulator.stats()
    assert stats["by_model"] == {"sim-echo": 3 * n, "sim-extractor": 3 * n}
    assert stats["requests"] == 3 * n + 3 * n + 3  # the 404s counted apart
    # Every request sent counts in the sweep's calls, the refused ones too.
    assert sweep.calls == stats["requests"]
    assert sum(runs.values_list("attempts", flat=True)) == sweep.calls
