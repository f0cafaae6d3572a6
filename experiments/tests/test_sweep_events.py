"""What a sweep's live events say and when they come, read from its event
log after real sweeps against the simulator: created, progress (at most 5 a
second, with the endpoints' limit state), run batches, the leaderboard and
steering."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from itertools import pairwise

import pytest
from django.db import connections
from django.utils import timezone

from experiments.config_labels import row_label
from experiments.engine.store.reports import RUNS_PER_EVENT, publish_leaderboard
from experiments.models import Run, Sweep, SweepEvent
from experiments.services import create_experiment
from experiments.services.sweeps import (
    create_sweep,
    naive_calls,
    run_sweep,
    steer_sweep,
)
from experiments.tests.engine_helpers import extraction_spec, run, start
from experiments.tests.test_engine_pipelines import N, pipeline_spec

pytestmark = pytest.mark.django_db(transaction=True)

PROGRESS_FIELDS = {
    "done",
    "planned",
    "errors",
    "cache_hits",
    "calls",
    "calls_saved",
    "cost",
    "calls_per_s",
    "eta_s",
    "endpoints",
}
RUN_FIELDS = {
    "id",
    "config",
    "item",
    "sample",
    "status",
    "score",
    "scores",
    "cache_hit",
    "latency_ms",
    "cost",
    "error_kind",
    "stage",
}
IDLE = {
    "in_flight": 0,
    "waiting": {"concurrency": 0, "rpm": 0, "tpm": 0},
    "backoff": 0,
    "next_retry_s": None,
    "circuit": "closed",
}


@pytest.fixture(autouse=True)
def fast_retries(settings):
    settings.RETRY_BASE_DELAY_S = 0.01


def events_of(sweep, type: str) -> list[SweepEvent]:
    return list(SweepEvent.objects.filter(sweep=sweep, type=type).order_by("seq"))


def gaps(events: list[SweepEvent]) -> list[float]:
    return [(b.created_at - a.created_at).total_seconds() for a, b in pairwise(events)]


def test_a_new_sweep_starts_its_log_with_a_snapshot_of_it(simulator, project, alice):
    experiment, _ = create_experiment(extraction_spec(simulator.base_url), alice)
    sweep = create_sweep(experiment, alice)
    (event,) = SweepEvent.objects.filter(sweep=sweep)
    assert (event.seq, event.type) == (1, "sweep.created")
    assert event.payload == {
        "id": sweep.pk,
        "experiment": {"id": experiment.pk, "name": "engine-test"},
        "status": "queued",
        "planned": None,
        "strategy": "grid",
        "concurrency": 4,
        "no_cache": False,
        "created_by": "alice",
        "created_at": sweep.created_at.isoformat(),
    }
    from_cli = start(extraction_spec(simulator.base_url))
    assert events_of(from_cli, "sweep.created")[0].payload["created_by"] is None


def test_progress_comes_at_most_five_times_a_second_with_every_count(make_simulator):
    sim = make_simulator(latency_ms=100)
    sweep = run(extraction_spec(sim.base_url, n_items=20, concurrency=4))
    assert (sweep.status, sweep.done) == ("completed", 80)
    progress = events_of(sweep, "sweep.progress")
    assert len(progress) >= 5
    times = [e.created_at for e in progress]
    # Never six in one second; while it runs, a quarter second apart (the
    # last one, as the sweep stops, may follow sooner).
    assert all(
        b - a >= timedelta(seconds=1) for a, b in zip(times, times[5:], strict=False)
    )
    assert min(gaps(progress[:-1])) >= 0.24
    payloads = [e.payload for e in progress]
    assert all(set(p) == PROGRESS_FIELDS for p in payloads)
    dones = [p["done"] for p in payloads]
    assert dones == sorted(dones) and dones[-1] == 80
    last = payloads[-1]
    assert (last["planned"], last["errors"], last["cache_hits"]) == (80, 0, 0)
    assert last["calls"] == sim.stats()["requests"] == 80
    assert (last["calls_saved"], last["eta_s"]) == (0, 0.0)
    assert last["cost"] == pytest.approx(sweep.cost) and last["cost"] > 0
    assert last["endpoints"] == {"sim": IDLE}
    # Four calls out at a time, 100 ms each: about 40 calls a second.
    middle = payloads[len(payloads) // 2]
    assert 15 < middle["calls_per_s"] < 60
    assert 0 < middle["eta_s"] < 5
    assert middle["endpoints"]["sim"]["in_flight"] <= 4


def test_a_cached_rerun_reports_every_call_saved(simulator):
    run(extraction_spec(simulator.base_url))
    again = run(extraction_spec(simulator.base_url))
    last = events_of(again, "sweep.progress")[-1].payload
    assert (last["done"], last["cache_hits"], last["calls"]) == (24, 24, 0)
    assert last["calls_saved"] == 24


def test_run_batches_cover_every_finished_run_once_with_its_scores(
    make_simulator, settings
):
    settings.MAX_ATTEMPTS = 1  # a 500 fails its run
    sim = make_simulator(latency_ms=20, fail_rate=0.2)
    sweep = run(extraction_spec(sim.base_url, n_items=30, concurrency=8))
    batches = events_of(sweep, "run.batch")
    assert len(batches) > 1
    sent = [r for e in batches for r in e.payload["runs"]]
    ids = [r["id"] for r in sent]
    assert len(ids) == len(set(ids)) == 120
    finished = Run.objects.filter(sweep=sweep, status__in=["done", "failed"])
    assert set(ids) == set(finished.values_list("id", flat=True))
    assert {r["status"] for r in sent} == {"done", "failed"}
    by_id = {r["id"]: r for r in sent}
    for row in finished.prefetch_related("scores"):
        event = by_id[row.pk]
        assert set(event) == RUN_FIELDS
        temperature = row.config["params"]["temperature"]
        assert event["config"] == {
            "id": row.config_hash,
            "label": f"p / sim:{row.config['model']} (temperature={temperature})",
        }
        assert (event["item"], event["sample"]) == (row.item_id, row.sample_index)
        assert (event["status"], event["error_kind"]) == (row.status, row.error_kind)
        assert event["scores"] == {
            s.scorer: pytest.approx(s.value, abs=1e-4) for s in row.scores.all()
        }
        if row.status == "done":
            assert event["score"] == pytest.approx(row.score, abs=1e-4)
            assert event["cost"] == pytest.approx(row.cost)
            assert event["latency_ms"] == pytest.approx(row.latency_ms, abs=0.1)
        else:
            assert event["score"] is None and event["error_kind"] == "http_500"
        assert event["cache_hit"] is False and event["stage"] is None


def test_a_large_batch_is_split_into_bounded_events(simulator):
    spec = extraction_spec(simulator.base_url, n_items=75)
    run(spec)
    again = run(spec)  # cache hits land 256 at a time
    sizes = [len(e.payload["runs"]) for e in events_of(again, "run.batch")]
    assert sum(sizes) == 300 and max(sizes) == RUNS_PER_EVENT


def test_a_pipeline_runs_batch_names_its_last_or_failed_stage(make_simulator):
    sim = make_simulator(context_chars=300)
    spec = pipeline_spec(sim.base_url)
    spec["stages"][0]["prompts"][0]["template"] = "x" * 400 + " {{ passage }}"
    sweep = run(spec)
    sent = [r for e in events_of(sweep, "run.batch") for r in e.payload["runs"]]
    assert len(sent) == 9 * N
    stages = {(r["status"], r["stage"]) for r in sent}
    assert stages == {("done", "normalise"), ("failed", "extract")}
    failed = [r for r in sent if r["status"] == "failed"]
    assert all(r["config"]["label"].startswith("extract: say-0/") for r in failed)
    # Shared extract calls saved calls: what naive_calls says, less those made.
    last = events_of(sweep, "sweep.progress")[-1].payload
    assert last["calls_saved"] == naive_calls(sweep) - sweep.calls == 6 * N


def test_the_leaderboard_comes_at_most_once_a_second_and_ends_final(make_simulator):
    sim = make_simulator(latency_ms=100)
    temperatures = [i / 10 for i in range(12)]
    spec = extraction_spec(
        sim.base_url, n_items=4, params={"temperature": temperatures}
    )
    sweep = run(spec)  # 24 configs, 96 runs: about 2.5 s
    boards = events_of(sweep, "leaderboard")
    assert len(boards) >= 3
    assert min(gaps(boards[:-1])) >= 0.99
    assert [b.payload["final"] for b in boards] == [False] * (len(boards) - 1) + [True]
    payloads = [b.payload for b in boards]
    assert all(a != b for a, b in pairwise(payloads))
    assert all(len(p["rows"]) <= 10 for p in payloads)
    top = sweep.runs.leaderboard()[:10]
    assert payloads[-1]["rows"] == [{**row, "label": row_label(row)} for row in top]
    assert payloads[-1]["configs"] == 24
    # Nothing changed since: nothing more is published.
    assert not publish_leaderboard(sweep.pk, final=True)
    assert not publish_leaderboard(sweep.pk)
    # The final board comes before the status that ends the sweep.
    last_two = SweepEvent.objects.filter(sweep=sweep).order_by("-seq")[:2]
    assert [e.type for e in last_two] == ["sweep.status", "leaderboard"]


@pytest.mark.django_db(transaction=False)
def test_steering_events_say_who_steered_and_what_resulted(
    simulator, project, alice, bob
):
    sweep = start(extraction_spec(simulator.base_url))
    steer_sweep(sweep, "pause", bob)
    steer_sweep(sweep, "concurrency", bob, 7)
    steer_sweep(sweep, "resume")  # the command line: no user
    steer_sweep(sweep, "cancel", alice)
    steering = [e.payload for e in events_of(sweep, "steering")]
    assert [(s["action"], s["by"], s["result"]) for s in steering] == [
        ("pause", "bob", {"status": "paused", "concurrency": 4}),
        ("concurrency", "bob", {"status": "paused", "concurrency": 7}),
        ("resume", None, {"status": "queued", "concurrency": 7}),
        ("cancel", "alice", {"status": "cancelled", "concurrency": 7}),
    ]
    now = timezone.now()
    for s in steering:
        at = datetime.fromisoformat(s["at"])
        assert now - timedelta(minutes=1) < at <= now
    kinds = list(
        SweepEvent.objects.filter(sweep=sweep).order_by("seq").values_list("type")
    )
    assert [k for (k,) in kinds] == [
        "sweep.created",
        "steering",
        "sweep.status",
        "steering",
        "steering",
        "sweep.status",
        "steering",
        "leaderboard",  # cancelled: the final (empty) board
        "sweep.status",
    ]
    statuses = [e.payload for e in events_of(sweep, "sweep.status")]
    assert statuses[-1] == {"status": "cancelled", "error": ""}


def _max_seen(sweep, *path: str) -> float:
    values = []
    for event in events_of(sweep, "sweep.progress"):
        value = event.payload["endpoints"]["sim"]
        for key in path:
            value = value[key]
        values.append(value or 0)
    return max(values)


def test_progress_shows_requests_waiting_on_the_endpoints_concurrency(
    make_simulator,
):
    # Slow enough for a dozen progress events even on a loaded machine.
    sim = make_simulator(latency_ms=250)
    spec = extraction_spec(sim.base_url, n_items=3, concurrency=4)
    spec["endpoints"][0]["max_concurrency"] = 1
    sweep = run(spec)  # 12 runs, one at a time: 3 s
    assert sweep.done == 12 and sim.stats()["max_in_flight"] == 1
    # Four past the sweep's gate, one out: three held by the endpoint.
    assert _max_seen(sweep, "waiting", "concurrency") == 3
    assert _max_seen(sweep, "in_flight") == 1
    assert _max_seen(sweep, "waiting", "rpm") == 0


def test_progress_shows_requests_waiting_on_the_endpoints_rpm(simulator):
    spec = extraction_spec(simulator.base_url, n_items=32, concurrency=4)
    spec["endpoints"][0]["rpm"] = 120  # 120 at once, then 2 a second
    sweep = run(spec)  # 128 runs: the last few wait, a few seconds
    assert sweep.done == 128
    # Every request past the sweep's gate waits for a token.
    assert _max_seen(sweep, "waiting", "rpm") == 4
    assert _max_seen(sweep, "waiting", "concurrency") == 0


def test_progress_shows_requests_in_backoff_and_the_next_retry(
    make_simulator, settings
):
    settings.MAX_ATTEMPTS = 2
    sim = make_simulator(rate429=1.0, retry_after=1.0)
    sweep = run(extraction_spec(sim.base_url, n_items=1))  # 4 runs, all 429
    assert sweep.errors == 4
    sleeping = [
        e.payload["endpoints"]["sim"]
        for e in events_of(sweep, "sweep.progress")
        if e.payload["endpoints"]["sim"]["backoff"]
    ]
    assert max(s["backoff"] for s in sleeping) == 4
    assert all(0 <= s["next_retry_s"] <= 1.0 for s in sleeping)
    assert any(s["next_retry_s"] > 0 for s in sleeping)
    assert events_of(sweep, "sweep.progress")[-1].payload["endpoints"]["sim"] == IDLE


def test_cancelling_a_running_sweep_ends_its_log_with_final_boards(
    make_simulator, project, bob
):
    sim = make_simulator(latency_ms=100)
    sweep = start(extraction_spec(sim.base_url, n_items=20, concurrency=4))

    def run_in_thread() -> None:
        try:
            run_sweep(sweep)
        finally:
            connections.close_all()  # this thread's own, or teardown waits on it

    runner = threading.Thread(target=run_in_thread, daemon=True)
    runner.start()
    deadline = time.monotonic() + 30
    while Sweep.objects.get(pk=sweep.pk).done < 8 and time.monotonic() < deadline:
        time.sleep(0.05)
    steer_sweep(sweep, "cancel", bob)
    runner.join(timeout=30)
    sweep.refresh_from_db()
    assert sweep.status == "cancelled" and 8 <= sweep.done < 80
    log = list(SweepEvent.objects.filter(sweep=sweep).order_by("seq"))
    (cancel,) = [e for e in log if e.type == "steering"]
    assert (cancel.payload["by"], cancel.payload["result"]["status"]) == (
        "bob",
        "cancelled",
    )
    # Every board from the cancel on is final; the last has every landed run.
    after = [e.payload for e in log if e.type == "leaderboard" and e.seq > cancel.seq]
    assert after and all(board["final"] for board in after)
    top = sweep.runs.leaderboard()[:10]
    assert after[-1]["rows"] == [{**row, "label": row_label(row)} for row in top]
    sent = [r["id"] for e in log if e.type == "run.batch" for r in e.payload["runs"]]
    assert len(sent) == len(set(sent)) == sweep.done
    assert [e for e in log if e.type == "sweep.progress"][-1].payload["done"] == (
        sweep.done
    )
