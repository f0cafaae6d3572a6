"""Failures the engine must tell apart: one item's error, an invalid request,
a dead server; and backoffs that hold no slot."""

from __future__ import annotations

import threading
import time

import pytest
from django.db.models import Sum

from experiments.models import Run
from experiments.services.sweeps import run_sweep
from experiments.tests.engine_helpers import extraction_spec, run, start
from scoring.base import BaseScorer, ScoreResult

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fast_retries(settings):
    settings.RETRY_BASE_DELAY_S = 0.01


def one_model(base_url: str, items: list[dict], **overrides) -> dict:
    options = {
        "models": [{"endpoint": "sim", "model": "sim-extractor"}],
        "params": {"temperature": [0.0]},
        "scorers": [{"type": "json_valid"}],
        **overrides,
    }
    spec = extraction_spec(base_url, **options)
    spec["dataset"] = {"items": items}
    return spec


def passages(*texts: str) -> list[dict]:
    return [{"input": {"passage": text}} for text in texts]


# --- Item-specific errors ----------------------------------------------------


def test_prompts_over_the_context_length_fail_alone(make_simulator):
    """Four items in a row over the context length are four item errors, not
    proof that the model is broken: the items after them are still sent."""
    sim = make_simulator(context_chars=200)
    long = [f"Ada Lovelace {i} met Charles Babbage. " + "x" * 300 for i in range(4)]
    short = [f"Grace Hopper {i} visited Paris." for i in range(4)]
    sweep = run(one_model(sim.base_url, passages(*long, *short), concurrency=1))
    assert sweep.status == "completed"
    runs = Run.objects.filter(sweep=sweep)
    assert runs.filter(status="done").count() == 4
    too_long = runs.filter(status="failed")
    assert too_long.count() == 4 == sweep.errors
    assert set(too_long.values_list("error_kind", flat=True)) == {"http_400"}
    assert all("maximum context length" in r.error_message for r in too_long)
    assert set(too_long.values_list("attempts", flat=True)) == {1}  # not retried
    assert not runs.filter(error_kind="skipped").exists()
    assert sim.stats()["requests"] == 8 == sweep.calls


def test_an_unknown_model_still_fails_fast_after_item_errors(make_simulator):
    sim = make_simulator(context_chars=200)
    items = passages("y" * 300, *(f"Ada {i} in Rome." for i in range(8)))
    spec = one_model(sim.base_url, items, concurrency=1)
    spec["models"] = [{"endpoint": "sim", "model": "nope"}]
    sweep = run(spec)
    runs = Run.objects.filter(sweep=sweep)
    assert runs.filter(error_kind="http_404").count() == 3
    assert runs.filter(error_kind="skipped").count() == 6
    assert sim.stats()["requests"] == 3


# --- Invalid requests answered with a 500 --------------------------------------


def test_a_llama_cpp_validation_500_is_not_retried(make_simulator, settings):
    sim = make_simulator(validation_500=True)
    sweep = start(one_model(sim.base_url, passages("Ada in Rome.", "Bo in Oslo.")))
    # A value the server refuses: set on the stored sweep, past our own
    # validator (which may refuse it first), to test the server's answer.
    sweep.spec["params"] = {"temperature": [5]}
    sweep.save(update_fields=["spec"])
    sweep = run_sweep(sweep)
    runs = Run.objects.filter(sweep=sweep)
    assert runs.filter(status="failed", error_kind="http_500").count() == 2
    assert set(runs.values_list("attempts", flat=True)) == {1}
    assert "validation error" in runs.first().error_message
    assert sim.stats()["requests"] == 2 == sweep.calls  # not 2 x 4


def test_a_plain_500_is_still_retried(make_simulator, settings):
    settings.MAX_ATTEMPTS = 3
    sim = make_simulator(fail_rate=1.0)
    sweep = run(one_model(sim.base_url, passages("Ada in Rome.")))
    assert Run.objects.get(sweep=sweep).attempts == 3 == sim.stats()["requests"]


# --- A dead server -----------------------------------------------------------


def stop_after(sim, completions: int) -> threading.Thread:
    """Stop the simulator (as a killed server) once it answered this many."""

    def watch() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if sim.stats()["completions"] >= completions:
                break
            time.sleep(0.005)
        sim.stop()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_a_server_killed_mid_sweep_fails_the_rest_fast(make_simulator, settings):
    settings.MAX_ATTEMPTS = 4
    sim = make_simulator(latency_ms=20)
    spec = extraction_spec(sim.base_url, n_items=50, concurrency=4)  # 200 runs
    watcher = stop_after(sim, 20)
    sweep = run(spec)
    watcher.join(10)
    assert sweep.status == "completed" and sweep.done == sweep.planned == 200
    runs = Run.objects.filter(sweep=sweep)
    failed = runs.filter(status="failed")
    assert failed.count() >= 100
    assert failed.filter(error_kind="unreachable").count() >= 90
    reason = failed.filter(error_kind="unreachable").first().error_message
    assert "is unreachable" in reason and "connection failures in a row" in reason
    # Each remaining run would have cost MAX_ATTEMPTS calls: a handful were
    # sent before the breaker opened (those in flight, their retries), and
    # one probe; the rest were never sent.
    sent_to_a_dead_server = failed.aggregate(n=Sum("attempts"))["n"]
    assert sent_to_a_dead_server <= 30
    assert failed.filter(attempts=0).count() >= failed.count() - 30
    assert sweep.calls == runs.aggregate(n=Sum("attempts"))["n"]


# --- Backoffs hold no slot -----------------------------------------------------

SCORED: list[str] = []


class OrderScorer(BaseScorer):
    """Records the order in which runs are scored (right after their call)."""

    type = "record_order"

    def score(self, input, output, context) -> ScoreResult:
        SCORED.append(input["passage"])
        return ScoreResult(1.0)


@pytest.mark.parametrize(
    "sweep_concurrency, endpoint_concurrency",
    [(1, 16), (4, 1)],
    ids=["gate", "limiter"],
)
def test_a_run_backing_off_holds_no_slot(
    make_simulator, settings, sweep_concurrency, endpoint_concurrency
):
    """The first request gets a 429 with Retry-After: 1 (seed 1: only the
    first). With one slot, the other runs are sent while it waits."""
    settings.PROMPTLOOPER_SCORERS = [f"{__name__}.OrderScorer"]
    settings.MAX_ATTEMPTS = 3
    SCORED.clear()
    sim = make_simulator(rate429=0.2, seed=1, retry_after=1.0)
    spec = one_model(
        sim.base_url,
        passages(*(f"Ada {i} in Rome." for i in range(6))),
        concurrency=sweep_concurrency,
        scorers=[{"type": "record_order"}],
    )
    spec["endpoints"][0]["max_concurrency"] = endpoint_concurrency
    sweep = run(spec)
    assert sweep.status == "completed" and sweep.errors == 0
    assert sim.stats()["faults"]["429"] == 1
    attempts = dict(
        Run.objects.filter(sweep=sweep).values_list("item__input__passage", "attempts")
    )
    assert sorted(attempts.values()) == [1, 1, 1, 1, 1, 2]
    assert len(SCORED) == 6
    assert attempts[SCORED[0]] == 1  # not the run that was backing off
    assert attempts[SCORED[-1]] == 2
