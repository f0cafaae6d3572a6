"""Sweeps scored by an llm_judge that takes a realistic time to answer."""

from __future__ import annotations

import json

import pytest
import yaml

from experiments.models import Run, Score
from experiments.tests.engine_helpers import extraction_spec, run

pytestmark = pytest.mark.django_db(transaction=True)

JUDGE = {
    "type": "llm_judge",
    "endpoint": "sim",
    "model": "sim-judge",
    "rubric": "0-10: are all people found? {{ output }}",
}
JUDGE_PRICE = {"input_per_mtok": 3.0, "output_per_mtok": 5.0}


@pytest.fixture(autouse=True)
def fast_retries(settings):
    settings.RETRY_BASE_DELAY_S = 0.01


@pytest.fixture
def slow_judge(make_simulator):
    """Runs answer at once, the judge takes 150 ms: a run's result is ready
    only after the writer has flushed at least once."""
    return make_simulator(model_latency_ms={"sim-judge": 150})


def judged_spec(base_url: str, **overrides) -> dict:
    spec = extraction_spec(base_url, scorers=[JUDGE, {"type": "json_valid"}])
    spec["endpoints"][0]["prices"]["sim-judge"] = JUDGE_PRICE
    spec.update(overrides)
    return spec


def test_a_slow_judge_loses_no_result(slow_judge):
    sweep = run(judged_spec(slow_judge.base_url))
    assert sweep.status == "completed"
    assert (sweep.planned, sweep.done, sweep.errors) == (24, 24, 0)
    assert not Run.objects.filter(sweep=sweep).exclude(status="done").exists()
    judged = Score.objects.filter(run__sweep=sweep, scorer="llm_judge")
    assert judged.count() == 24 and not judged.exclude(error="").exists()
    assert Score.objects.filter(run__sweep=sweep).count() == 48


def test_a_slow_judge_on_cache_hits_loses_no_result(slow_judge):
    """Cache hits are scored in the producer; a fresh rubric makes their
    judge calls miss the cache, so the judge is slow there too."""
    run(extraction_spec(slow_judge.base_url))  # fills the cache, no judge
    sweep = run(judged_spec(slow_judge.base_url))
    assert (sweep.status, sweep.done, sweep.cache_hits) == ("completed", 24, 24)
    judged = Score.objects.filter(run__sweep=sweep, scorer="llm_judge")
    assert judged.count() == 24 and not judged.exclude(error="").exists()


def test_runexperiment_with_a_slow_judge_exits_0(manage, make_simulator, tmp_path):
    sim = make_simulator(latency_ms=0)
    # The command runs in another process: slow the judge over POST /config.
    sim.configure(model_latency_ms={"sim-judge": 150})
    path = tmp_path / "judged.yaml"
    path.write_text(yaml.safe_dump(judged_spec(sim.base_url)))
    done = manage("runexperiment", str(path), "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["status"], summary["done"], summary["errors"]) == (
        "completed",
        24,
        0,
    )
    assert summary["calls"] == sim.stats()["requests"] > 24


def test_judge_calls_are_counted_with_their_own_tokens_and_cost(slow_judge):
    sweep = run(judged_spec(slow_judge.base_url))
    stats = slow_judge.stats()
    judge_calls = stats["by_model"]["sim-judge"]
    assert judge_calls > 0
    # Every HTTP request sent, the judge's included.
    assert sweep.calls == stats["requests"] == 24 + judge_calls
    runs = list(Run.objects.filter(sweep=sweep).prefetch_related("scores"))
    judge_usage = []
    for r in runs:
        detail = next(s for s in r.scores.all() if s.scorer == "llm_judge").detail
        usage = detail["judge"]
        assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
        assert usage["cost"] == pytest.approx(
            (usage["prompt_tokens"] * 3.0 + usage["completion_tokens"] * 5.0) / 1e6
        )
        model_cost = r.raw_response["usage"]
        # The run's totals are the model's and the judge's.
        assert r.prompt_tokens == model_cost["prompt_tokens"] + usage["prompt_tokens"]
        assert r.completion_tokens == (
            model_cost["completion_tokens"] + usage["completion_tokens"]
        )
        judge_usage.append(usage)
    assert sum(u["calls"] for u in judge_usage) == judge_calls
    # The sweep spent what was sent: runs that shared a judge call (equal
    # outputs) count its tokens in their own totals but not twice in the sweep.
    sent = [u for u in judge_usage if u["calls"]]
    model_prompt = sum(r.raw_response["usage"]["prompt_tokens"] for r in runs)
    assert sweep.prompt_tokens == model_prompt + sum(u["prompt_tokens"] for u in sent)
    assert sweep.cost == pytest.approx(
        sum((r.cost or 0) - u["cost"] for r, u in zip(runs, judge_usage, strict=True))
        + sum(u["cost"] for u in sent)
    )


def test_a_rerun_counts_no_judge_calls_but_keeps_the_run_totals(slow_judge):
    first = run(judged_spec(slow_judge.base_url))
    second = run(judged_spec(slow_judge.base_url))
    assert (second.calls, second.cost, second.prompt_tokens) == (0, 0.0, 0)
    totals = lambda sweep: sorted(  # noqa: E731
        Run.objects.filter(sweep=sweep).values_list("prompt_tokens", "cost")
    )
    assert totals(first) == totals(second)


def test_failed_judge_calls_count_as_calls(make_simulator, settings):
    settings.MAX_ATTEMPTS = 2
    sim = make_simulator()
    spec = judged_spec(sim.base_url, models=[{"endpoint": "sim", "model": "sim-echo"}])
    spec["scorers"][0] = {**JUDGE, "model": "no-such-judge"}
    sweep = run(spec)
    assert sweep.status == "completed" and sweep.done == 12
    assert sweep.calls == sim.stats()["requests"]
    judged = Score.objects.filter(run__sweep=sweep, scorer="llm_judge")
    assert not judged.filter(error="").exists()
