"""Sweeps against the simulator: results, the cache, retries, failures."""

from __future__ import annotations

import pytest

from experiments.engine import store
from experiments.models import CachedResponse, Endpoint, Run, Score
from experiments.services.sweeps import run_sweep, steer_sweep
from experiments.tests.engine_helpers import extraction_spec, run, start

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fast_retries(settings):
    settings.RETRY_BASE_DELAY_S = 0.01


def test_sweep_runs_and_scores_every_combination(simulator):
    sweep = run(extraction_spec(simulator.base_url))
    assert sweep.status == "completed"
    assert (sweep.planned, sweep.done, sweep.errors) == (24, 24, 0)
    assert simulator.stats()["requests"] == 24 == sweep.calls
    assert Score.objects.filter(run__sweep=sweep).count() == 48
    board = sweep.runs.leaderboard()
    assert len(board) == 4
    best = board[0]
    assert best["config"]["model"] == "sim-extractor" and best["n"] == 6
    assert best["score"] >= board[-1]["score"]
    assert sweep.cost > 0 and sweep.prompt_tokens > 0


def test_rerun_makes_no_calls_and_returns_the_same_scores(simulator):
    first = run(extraction_spec(simulator.base_url))
    calls_before = simulator.stats()["requests"]
    second = run(extraction_spec(simulator.base_url))
    assert simulator.stats()["requests"] == calls_before
    assert (second.calls, second.cache_hits, second.done) == (0, 24, 24)
    scores = [(r["config_hash"], r["score"]) for r in first.runs.leaderboard()]
    assert sorted(scores) == sorted(
        (r["config_hash"], r["score"]) for r in second.runs.leaderboard()
    )
    assert Run.objects.filter(sweep=second, cache_hit=True).count() == 24
    stats = CachedResponse.objects.stats()
    assert stats["entries"] == 24 and stats["calls_saved"] == 24
    assert stats["cost_saved"] > 0


def test_no_cache_calls_again_and_refreshes_entries(simulator):
    run(extraction_spec(simulator.base_url))
    sweep = run(extraction_spec(simulator.base_url), no_cache=True)
    assert sweep.calls == 24 and sweep.cache_hits == 0
    assert simulator.stats()["requests"] == 48
    assert CachedResponse.objects.count() == 24


def test_samples_are_cached_separately(simulator):
    sweep = run(extraction_spec(simulator.base_url, samples=2))
    assert sweep.planned == 48 and sweep.calls == 48


def test_429_and_5xx_are_retried_until_they_succeed(make_simulator, settings):
    # 40% of requests fail; ten attempts make a run failing for good ~1e-4.
    settings.MAX_ATTEMPTS = 10
    sim = make_simulator(rate429=0.25, fail_rate=0.15, retry_after=0.01, seed=3)
    sweep = run(extraction_spec(sim.base_url))
    stats = sim.stats()
    assert sweep.status == "completed" and sweep.errors == 0
    assert stats["faults"]["429"] > 0 and stats["faults"]["500"] > 0
    assert sweep.calls == stats["requests"] > 24  # retries counted as calls
    assert Run.objects.filter(sweep=sweep, attempts__gt=1).exists()


def test_permanent_errors_are_recorded_without_retries(make_simulator):
    sim = make_simulator(malformed_rate=1.0)
    sweep = run(
        extraction_spec(
            sim.base_url, models=[{"endpoint": "sim", "model": "sim-extractor"}]
        )
    )
    # Every run failed, so the sweep did (test_sweep_outcome.py).
    assert sweep.status == "failed"
    failed = Run.objects.filter(sweep=sweep, status="failed")
    assert failed.count() == 12 == sweep.errors
    first = failed.exclude(error_kind="skipped").first()
    assert first.error_kind == "malformed" and first.attempts == 1
    assert "malformed response body" in first.error_message
    assert not CachedResponse.objects.exists()  # errors are never cached


def test_unknown_model_fails_fast(simulator):
    spec = extraction_spec(
        simulator.base_url, concurrency=1, models=[{"endpoint": "sim", "model": "nope"}]
    )
    sweep = run(spec)
    assert simulator.stats()["requests"] == 3  # then the rest is not sent
    runs = Run.objects.filter(sweep=sweep)
    assert runs.filter(status="failed").count() == 12
    assert runs.filter(error_kind="http_404").count() == 3
    skipped = runs.filter(error_kind="skipped").first()
    assert "sim/nope failed 3 times in a row" in skipped.error_message


def test_bad_api_key_fails_the_endpoint_fast_and_never_shows_the_key(
    make_simulator, monkeypatch
):
    sim = make_simulator(api_key="right-key")
    spec = extraction_spec(sim.base_url, concurrency=1)
    spec["endpoints"][0]["api_key_env"] = "PROMPTLOOPER_KEY_SIM_TEST"
    monkeypatch.setenv("PROMPTLOOPER_KEY_SIM_TEST", "wrong-key-XYZ")
    sweep = run(spec)
    runs = Run.objects.filter(sweep=sweep)
    # Three refusals per model, then the rest is not sent.
    assert runs.filter(error_kind="http_401").count() == 6 == sweep.calls
    assert runs.filter(error_kind="skipped").count() == 18
    assert not runs.filter(error_message__contains="wrong-key-XYZ").exists()
    assert Endpoint.objects.get().api_key == ""


def test_judge_scores_through_the_same_cache(simulator, monkeypatch):
    judge = {
        "type": "llm_judge",
        "endpoint": "sim",
        "model": "sim-judge",
        "rubric": "0-10: are all people found? {{ output }}",
    }
    spec = extraction_spec(simulator.base_url, scorers=[judge])
    first = run(spec)
    judged = Score.objects.filter(run__sweep=first, scorer="llm_judge")
    assert judged.count() == 24 and not judged.exclude(error="").exists()
    assert all(0 <= s.value <= 1 for s in judged)
    requests = simulator.stats()["requests"]
    # 24 runs, plus one judge call per distinct (input, output): equal outputs
    # (both temperatures of the extractor) share a call.
    assert 24 < requests <= 48
    lookups = []

    def counted_lookup(scope, keys):
        lookups.append(len(keys))
        return real_lookup(scope, keys)

    real_lookup = store.lookup
    monkeypatch.setattr(store, "lookup", counted_lookup)
    run(spec)
    assert simulator.stats()["requests"] == requests  # judge replies cached too
    # Two queries for the runs (the first wave, then the rest of the batch),
    # and the judge's lookups batched: a handful of queries, not one per run.
    assert lookups[:1] == [4] and sum(lookups) >= 24 and len(lookups) <= 4


def test_a_plan_made_in_two_steps_is_finished_by_the_next_runner(simulator):
    """The runner inserts the first wave's rows, then the rest while those
    calls are out. A runner stopped between the steps leaves the rest to the
    next one: every planned run exists once."""
    sweep = start(extraction_spec(simulator.base_url))
    assert store.plan_runs(store.load_context(sweep.pk), first=4) == 24
    assert sweep.runs.count() == 4
    sweep.refresh_from_db()
    assert sweep.planned == 24  # the whole plan's size from the first step on
    # A new runner (a fresh context, as after a restart) asks for a first wave
    # again: the rows that exist are kept and the rest is added.
    assert store.plan_runs(store.load_context(sweep.pk), first=4) == 24
    keys = list(sweep.runs.values_list("config_hash", "item_id", "sample_index"))
    assert len(keys) == len(set(keys)) == 24
    assert run_sweep(sweep).status == "completed"
    assert sweep.runs.filter(status="done").count() == 24


def test_runs_planned_after_a_cancel_are_cancelled_too(simulator):
    sweep = start(extraction_spec(simulator.base_url))
    store.plan_runs(store.load_context(sweep.pk), first=4)
    steer_sweep(sweep, "cancel")  # between the two steps
    store.plan_runs(store.load_context(sweep.pk))
    assert sweep.runs.count() == 24
    assert not sweep.runs.filter(status="pending").exists()
