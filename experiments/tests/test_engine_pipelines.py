"""Pipelines against the simulator: shared stage calls, the trace, failures
at a stage, stage scorers and the composite. Requests are counted at the
simulator."""

from __future__ import annotations

import pytest

from experiments.models import CachedResponse, Run, Score
from experiments.tests.engine_helpers import extraction_spec, run

pytestmark = pytest.mark.django_db(transaction=True)
N = 4  # items


@pytest.fixture(autouse=True)
def fast_retries(settings):
    settings.RETRY_BASE_DELAY_S = 0.01


def pipeline_spec(base_url: str, **overrides) -> dict:
    """extract: 3 prompts on sim-echo (three different outputs per item);
    normalise: 3 prompts on sim-extractor over the extract output."""
    spec = extraction_spec(base_url, n_items=N)
    for key in ("prompts", "models", "params", "scorers"):
        del spec[key]
    spec["stages"] = [
        {
            "name": "extract",
            "prompts": [
                {"name": f"say-{i}", "template": f"Version {i}: {{{{ passage }}}}"}
                for i in range(3)
            ],
            "models": [{"endpoint": "sim", "model": "sim-echo"}],
        },
        {
            "name": "normalise",
            "prompts": [
                {
                    "name": f"norm-{i}",
                    "template": f"Norm {i}: {{{{ stages.extract.output }}}}",
                }
                for i in range(3)
            ],
            "models": [{"endpoint": "sim", "model": "sim-extractor"}],
        },
    ]
    spec["scorers"] = [{"type": "json_valid"}]
    spec.update(overrides)
    return spec


def test_configs_sharing_a_first_stage_share_its_calls(simulator):
    sweep = run(pipeline_spec(simulator.base_url))
    assert sweep.status == "completed"
    assert (sweep.planned, sweep.done, sweep.errors) == (9 * N, 9 * N, 0)
    # 3 extract choices + 9 (extract x normalise) choices per item, not 18.
    assert simulator.stats()["requests"] == 3 * N + 9 * N == sweep.calls
    # Each request sent is one run's: the run that made a shared call.
    attempts = Run.objects.filter(sweep=sweep).values_list("attempts", flat=True)
    assert sum(attempts) == sweep.calls and set(attempts) == {1, 2}
    run_row = Run.objects.filter(sweep=sweep).order_by("id").first()
    assert [t["stage"] for t in run_row.trace] == ["extract", "normalise"]
    first, last = run_row.trace
    assert first["output"].startswith("Version") and first["cache_key"]
    assert (
        last["messages"][-1]["content"]
        == f"Norm {run_row.config['stages'][1]['prompt'][-1]}: {first['output']}"
    )
    assert run_row.output_text == last["output"] and run_row.output_json is not None
    assert run_row.cache_key == last["cache_key"]
    # A run's tokens are the sum over its stages; the sweep counts each call once.
    assert run_row.prompt_tokens == first["prompt_tokens"] + last["prompt_tokens"]
    assert run_row.latency_ms == pytest.approx(first["latency_ms"] + last["latency_ms"])
    runs_tokens = sum(
        Run.objects.filter(sweep=sweep).values_list("prompt_tokens", flat=True)
    )
    assert sweep.prompt_tokens < runs_tokens
    assert len(sweep.runs.leaderboard()) == 9


def test_a_cost_scorer_sees_the_whole_pipelines_cost(simulator):
    spec = pipeline_spec(simulator.base_url)
    spec["endpoints"][0]["prices"]["sim-echo"] = {
        "input_per_mtok": 5.0,
        "output_per_mtok": 5.0,
    }
    spec["scorers"] = [{"type": "cost", "max_usd": 1.0}]
    sweep = run(spec)
    for run_row in Run.objects.filter(sweep=sweep).prefetch_related("scores"):
        (score,) = run_row.scores.all()
        stages = [t["cost"] for t in run_row.trace]
        assert all(cost > 0 for cost in stages)
        assert score.detail["cost"] == pytest.approx(sum(stages))


def test_a_pipeline_rerun_makes_no_calls(simulator):
    first = run(pipeline_spec(simulator.base_url))
    # Every run served a stage answer it did not fetch saved a call: the 2
    # other configs sharing each extract call, per item.
    assert CachedResponse.objects.stats()["calls_saved"] == 6 * N
    before = simulator.stats()["requests"]
    second = run(pipeline_spec(simulator.base_url))
    assert simulator.stats()["requests"] == before
    assert (second.calls, second.done, second.errors) == (0, 9 * N, 0)
    assert (second.cost, second.prompt_tokens) == (0, 0)
    assert CachedResponse.objects.stats()["calls_saved"] == 6 * N + 18 * N
    assert CachedResponse.objects.stats()["cost_saved"] > 0
    # The first sweep spent what its unique calls cost, no more.
    spent = sum(
        CachedResponse.objects.values_list("cost", flat=True).exclude(cost=None)
    )
    assert first.cost == pytest.approx(spent) and first.cost > 0
    assert second.cache_hits == 9 * N
    traces = Run.objects.filter(sweep=second).values_list("trace", flat=True)
    assert all(t["cache_hit"] for trace in traces for t in trace)
    # A run's latency is its stages' (a stage without one counts 0).
    for run_row in Run.objects.filter(sweep__in=[first, second]):
        stages = sum(t["latency_ms"] or 0.0 for t in run_row.trace)
        assert run_row.latency_ms == pytest.approx(stages)
    scores = sorted((r["config_hash"], r["score"]) for r in first.runs.leaderboard())
    assert scores == sorted(
        (r["config_hash"], r["score"]) for r in second.runs.leaderboard()
    )


def test_json_of_an_output_that_is_not_json_fails_the_run_at_that_stage(simulator):
    spec = pipeline_spec(simulator.base_url)
    spec["stages"][1]["prompts"] = [
        {"name": "people", "template": "{{ stages.extract.json.people }}"}
    ]
    sweep = run(spec)
    assert sweep.status == "failed" and sweep.errors == 3 * N
    failed = Run.objects.filter(sweep=sweep).first()
    assert failed.error_kind == "invalid_json"
    assert failed.error_message.startswith(
        'stage "normalise": stages.extract.json: the output of stage "extract" '
        "is not JSON"
    )
    assert [t["stage"] for t in failed.trace] == ["extract", "normalise"]
    assert simulator.stats()["requests"] == 3 * N  # the stage was never called


def test_a_failed_first_stage_call_fails_only_the_runs_that_use_it(make_simulator):
    sim = make_simulator(context_chars=300)
    spec = pipeline_spec(sim.base_url)
    spec["stages"][0]["prompts"][0]["template"] = "x" * 400 + " {{ passage }}"
    sweep = run(spec)
    assert sweep.status == "completed"
    runs = Run.objects.filter(sweep=sweep)
    failed = runs.filter(status="failed")
    assert failed.count() == 3 * N == sweep.errors
    assert {r.config["stages"][0]["prompt"] for r in failed} == {"say-0"}
    assert all(r.error_message.startswith('stage "extract": ') for r in failed)
    assert {r.error_kind for r in failed} == {"http_400"}
    assert all(len(r.trace) == 1 for r in failed)  # no later stage
    assert runs.filter(status="done").count() == 6 * N
    # One failed call per item (shared by its 3 runs), then 2 + 6 good ones.
    assert sim.stats()["requests"] == N + 2 * N + 6 * N == sweep.calls
    # The refused request is the run's that sent it, as the good ones are.
    assert sum(runs.values_list("attempts", flat=True)) == sweep.calls
    assert sum(r.attempts for r in failed) == N  # one per item's failed call


def test_stage_scorers_count_in_the_composite_only_with_a_weight(simulator):
    spec = pipeline_spec(simulator.base_url)
    spec["stages"][0]["prompts"] = spec["stages"][0]["prompts"][:1]
    spec["stages"][1]["prompts"] = spec["stages"][1]["prompts"][:1]
    spec["stages"][0]["scorers"] = [
        {"type": "json_valid", "weight": 1},  # echo is not JSON: 0
        {"type": "contains", "value": "Version", "name": "says"},  # 1, no weight
    ]
    sweep = run(spec)
    assert sweep.status == "completed"
    run_row = Run.objects.filter(sweep=sweep).first()
    scores = {s.scorer: (s.value, s.weight) for s in Score.objects.filter(run=run_row)}
    assert scores == {
        "json_valid": (1.0, 1.0),
        "extract.json_valid": (0.0, 1.0),
        "extract.says": (1.0, 0.0),
    }
    assert run_row.score == pytest.approx(0.5)


def test_sample_i_of_a_pipeline_uses_sample_i_of_every_stage(simulator):
    sweep = run(pipeline_spec(simulator.base_url, samples=2))
    assert sweep.done == 2 * 9 * N
    assert simulator.stats()["requests"] == 2 * (3 * N + 9 * N) == sweep.calls
    runs = Run.objects.filter(
        sweep=sweep,
        config_hash=Run.objects.filter(sweep=sweep).values("config_hash")[:1],
    )
    one_item = runs.filter(item=runs.first().item).order_by("sample_index")
    first, second = (r.trace for r in one_item)
    assert first[0]["cache_key"] != second[0]["cache_key"]
    assert first[1]["cache_key"] != second[1]["cache_key"]


def test_random_search_draws_pipeline_configs(simulator):
    spec = pipeline_spec(simulator.base_url)
    spec["strategy"] = {"type": "random", "budget": 10, "seed": 3}
    sweep = run(spec)
    assert (sweep.planned, sweep.done, sweep.errors) == (10, 10, 0)
    assert all(
        len(config["stages"]) == 2
        for config in Run.objects.filter(sweep=sweep).values_list("config", flat=True)
    )


def test_check_endpoints_names_the_stage_of_an_unlisted_model(make_simulator):
    from experiments.services.model_check import unlisted_model_warnings
    from experiments.spec import validate_spec

    sim = make_simulator(listed_models=["sim-echo"])
    spec = validate_spec(pipeline_spec(sim.base_url)).spec
    warnings = unlisted_model_warnings(spec)
    assert [w.path for w in warnings] == ["stages[1].models[0].model"]
