"""A pipeline run in detail, against the simulator: a later stage whose
prompt cannot render for an item, a judge among a stage's scorers, a rerun
that must not use the cache, and what a failed run records."""

from __future__ import annotations

import pytest

from experiments.models import Run
from experiments.tests.engine_helpers import run
from experiments.tests.test_engine_pipelines import pipeline_spec

pytestmark = pytest.mark.django_db(transaction=True)
N = 2  # items


def one_config_spec(base_url: str, **overrides) -> dict:
    """extract (sim-extractor: JSON) then normalise, one choice each."""
    spec = pipeline_spec(base_url, **overrides)
    # Different people per item: the extractor drops the digits that set the
    # helper's items apart, and equal outputs would share the second call.
    people = ["Grace Hopper met Alan Turing", "Ada Lovelace met Charles Babbage"]
    spec["dataset"]["items"] = [
        {"input": {"passage": f"{who} in London."}} for who in people[:N]
    ]
    extract, normalise = spec["stages"]
    extract["prompts"] = extract["prompts"][:1]
    extract["models"] = [{"endpoint": "sim", "model": "sim-extractor"}]
    normalise["prompts"] = normalise["prompts"][:1]
    return spec


def test_a_later_prompt_that_cannot_render_fails_the_run_at_its_stage(simulator):
    # The extractor's JSON has no such key: the template cannot render, which
    # only the run can find out. A long reason is cut at 2000 characters.
    key = "k" * 2500
    spec = one_config_spec(simulator.base_url)
    spec["stages"][1]["prompts"][0]["template"] = (
        "{{ stages.extract.json." + key + " }}"
    )
    sweep = run(spec)
    assert (sweep.status, sweep.errors) == ("failed", N)
    failed = Run.objects.filter(sweep=sweep).first()
    assert failed.error_kind == "template"
    assert failed.error_message.startswith(
        "stage \"normalise\": cannot render the prompt: 'dict object' has no "
        "attribute 'kkk"
    )
    assert len(failed.error_message) == 2000
    extract, normalise = failed.trace
    assert extract["error"] == "" and extract["output"].startswith("{")
    assert normalise["error"].startswith("cannot render the prompt:")
    assert normalise["messages"] is None
    # The first stage's call was made and paid; the second was never sent.
    assert simulator.stats()["requests"] == N == sweep.calls
    assert failed.attempts == 1
    assert failed.prompt_tokens == extract["prompt_tokens"] > 0


def test_a_judge_among_a_stages_scorers_counts_in_the_run_and_the_sweep(
    simulator,
):
    judge = {"type": "llm_judge", "endpoint": "sim", "model": "sim-judge"}
    spec = one_config_spec(simulator.base_url)
    spec["scorers"] = [{**judge, "rubric": "Final: {{ output }}", "name": "final"}]
    spec["stages"][0]["scorers"] = [
        {**judge, "rubric": "Extracted: {{ output }}", "name": "judged", "weight": 1}
    ]
    sweep = run(spec)
    assert (sweep.status, sweep.errors) == ("completed", 0)
    # Per item: extract, normalise, and the two judges.
    assert simulator.stats()["requests"] == 4 * N == sweep.calls
    row = Run.objects.filter(sweep=sweep).first()
    scorers = set(row.scores.values_list("scorer", flat=True))
    assert scorers == {"final", "extract.judged"}
    stages = sum(t["prompt_tokens"] for t in row.trace)
    judges = sum(s.detail["judge"]["prompt_tokens"] for s in row.scores.all())
    assert judges > 0 and row.prompt_tokens == stages + judges


def test_a_rerun_without_the_cache_calls_every_stage_again(simulator):
    spec = one_config_spec(simulator.base_url)
    run(spec)
    again = run(spec, no_cache=True)
    assert (again.calls, again.cache_hits, again.done) == (2 * N, 0, N)
    assert simulator.stats()["requests"] == 2 * 2 * N
    traces = Run.objects.filter(sweep=again).values_list("trace", flat=True)
    assert not any(t["cache_hit"] for trace in traces for t in trace)


def test_a_cached_rerun_reports_the_stage_latencies_it_was_served_with(simulator):
    spec = one_config_spec(simulator.base_url)
    first = Run.objects.filter(sweep=run(spec)).first()
    again = Run.objects.filter(sweep=run(spec)).first()
    assert again.attempts == 0  # nothing sent
    assert [t["cache_hit"] for t in again.trace] == [True, True]
    assert again.latency_ms == pytest.approx(
        sum(t["latency_ms"] or 0.0 for t in again.trace)
    )
    assert first.attempts == 2  # one request per stage
