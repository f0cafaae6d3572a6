"""The analysis endpoints on sweeps run against the simulator: what the API
answers, the filters it refuses (400 naming the parameter), and the cached
answer a repeated read gets. Who may call them: test_api_permissions.py."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from experiments.models import Run, Sweep
from experiments.tests.engine_helpers import extraction_spec, run

# The engine writes from its own thread and connection: committed rows.
pytestmark = pytest.mark.django_db(transaction=True)

LEADERBOARD_KEYS = {
    "rank", "config_hash", "config", "score", "n", "ci95", "latency_ms_p50",
    "cost", "errors", "stages", "scores", "runs", "items", "error_rate",
    "cache_hit_rate", "prompt_tokens", "completion_tokens", "cost_per_run",
    "cost_total", "latency_ms_p95", "tied_with_best", "p_value", "delta",
    "delta_ci95", "paired_items", "sample_variance", "on_front", "stage_usage",
}  # fmt: skip


@pytest.fixture
def api(alice, project) -> APIClient:
    client = APIClient()
    client.force_login(alice)
    return client


@pytest.fixture
def sweep(simulator, project) -> Sweep:
    """4 configs (2 models x 2 temperatures) x 6 items x 2 samples."""
    return run(extraction_spec(simulator.base_url, samples=2))


def test_leaderboard_rows_carry_the_analysis(api, sweep):
    rows = api.get(f"/api/sweeps/{sweep.pk}/leaderboard/").json()
    assert len(rows) == 4 and all(set(row) == LEADERBOARD_KEYS for row in rows)
    best = rows[0]
    assert best["config"]["model"] == "sim-extractor"
    assert best["n"] == 12 and best["runs"] == 12 and best["errors"] == 0
    assert set(best["scores"]) == {"json_valid", "json_f1:people"}
    assert best["ci95"][0] <= best["score"] <= best["ci95"][1]
    assert best["tied_with_best"] and best["delta"] == 0.0
    assert best["cost_per_run"] > 0 and best["cost_total"] == best["cost"]
    assert best["prompt_tokens"] > 0 and best["completion_tokens"] > 0
    assert best["latency_ms_p95"] >= best["latency_ms_p50"]
    assert best["error_rate"] == 0.0 and best["cache_hit_rate"] == 0.0
    # Two samples: the spread across them is measured (0 when identical).
    assert all(row["sample_variance"] is not None for row in rows)
    sloppy = [row for row in rows if row["config"]["model"] == "sim-sloppy"]
    assert all(row["paired_items"] == 6 for row in sloppy)
    assert all(row["p_value"] is not None for row in sloppy)
    # The API's rows are the QuerySet's (and so the commands').
    board = sweep.runs.leaderboard()
    assert [r["score"] for r in rows] == [r["score"] for r in board]
    assert [r["ci95"] for r in rows] == [r["ci95"] for r in board]


def test_pareto_marginals_and_heatmap_answer(api, sweep):
    url = f"/api/sweeps/{sweep.pk}"
    pareto = api.get(f"{url}/pareto/").json()
    # Only sim-extractor has a price: the others are not on the cost chart.
    assert {p["config"]["model"] for p in pareto["cost"]} == {"sim-extractor"}
    assert len(pareto["cost"]) == 2 and len(pareto["latency"]) == 4
    assert any(point["on_front"] for point in pareto["cost"])
    costs = [point["cost_per_run"] for point in pareto["cost"]]
    assert costs == sorted(costs)
    marginals = api.get(f"{url}/marginals/").json()
    axes = {axis["axis"]: axis for axis in marginals["axes"]}
    assert set(axes) == {"model", "temperature"}  # one prompt: not an axis
    model = {v["value"]: v for v in axes["model"]["values"]}
    assert model["sim/sim-extractor"]["mean"] > model["sim/sim-sloppy"]["mean"]
    assert model["sim/sim-extractor"]["n"] == 24
    heat = api.get(f"{url}/heatmap/", {"x": "temperature", "y": "model"}).json()
    assert heat["x_values"] == [0.0, 0.7] and len(heat["cells"]) == 4
    assert heat["filters"] == {"scorer": None, "stage": None, "sample": None}


def test_filters_change_what_is_ranked(api, sweep):
    url = f"/api/sweeps/{sweep.pk}/leaderboard/"
    by_valid = api.get(url, {"scorer": "json_valid"}).json()
    expected = sweep.runs.leaderboard(scorer="json_valid")
    assert [r["score"] for r in by_valid] == [r["score"] for r in expected]
    first = api.get(url, {"sample": 0}).json()
    assert all(row["n"] == 6 for row in first)
    assert api.get(url, {"sample": 5}).json() == []


@pytest.mark.parametrize(
    ("path", "params", "name"),
    [
        ("leaderboard", {"scorer": "bleu"}, "scorer"),
        ("leaderboard", {"sample": "-1"}, "sample"),
        ("pareto", {"sample": "first"}, "sample"),
        ("marginals", {"stage": "extract"}, "stage"),
        ("heatmap", {"x": "colour"}, "x"),
        ("heatmap", {"x": "model", "y": "model"}, "y"),
        ("heatmap", {"scorer": "x" * 500}, "scorer"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(api, sweep, path, params, name):
    response = api.get(f"/api/sweeps/{sweep.pk}/{path}/", params)
    assert response.status_code == 400
    body = response.json()
    assert [error["path"] for error in body["errors"]] == [name]
    assert body["detail"].startswith(f"{name}: ")


def test_a_repeated_read_is_served_from_the_cache_until_the_sweep_moves(api, sweep):
    url = f"/api/sweeps/{sweep.pk}/leaderboard/"
    first = api.get(url).json()
    with CaptureQueriesContext(connection) as queries:
        again = api.get(url).json()
    assert again == first
    assert not any("experiments_score" in q["sql"] for q in queries.captured_queries)
    # A run lands: the sweep's counters move, and the answer is computed anew.
    Run.objects.filter(sweep=sweep).update(score=0.0)
    Sweep.objects.filter(pk=sweep.pk).update(done=sweep.done + 1)
    moved = api.get(url).json()
    assert {row["score"] for row in moved} == {0.0}


def test_a_pipelines_rows_carry_each_stages_cost_and_latency(api, simulator):
    from experiments.tests.test_pipeline_surfaces import two_stage_spec

    piped = run(two_stage_spec(simulator.base_url))
    rows = api.get(f"/api/sweeps/{piped.pk}/leaderboard/").json()
    assert len(rows) == 4
    for row in rows:
        usage = row["stage_usage"]
        assert [u["stage"] for u in usage] == ["extract", "normalise"]
        assert all(u["runs"] == row["runs"] for u in usage)
        # A run's cost and latency are the sums of its stages'.
        assert sum(u["cost_total"] for u in usage) == pytest.approx(
            row["cost_total"], abs=1e-6
        )
        mean_latency = sum(u["latency_ms_mean"] for u in usage)
        runs = Run.objects.filter(sweep=piped, config_hash=row["config_hash"])
        latencies = [r.latency_ms for r in runs]
        assert mean_latency == pytest.approx(sum(latencies) / len(latencies), abs=0.2)
