"""The leaderboard's rows on hand-made sweeps: the numbers a user reads per
config (interval, scorers, errors, cache hits, tokens, cost, latency)."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.analysis.stats import bootstrap_ci, percentile
from experiments.analysis.tests.handmade import config, hand_made

pytestmark = pytest.mark.django_db

A, B, C = config("a"), config("b"), config("c")


def rows_by_prompt(sweep, **filters) -> dict[str, dict]:
    return {row["config"]["prompt"]: row for row in sweep.runs.leaderboard(**filters)}


def test_the_interval_is_the_seeded_bootstrap_of_the_configs_runs(project):
    made = hand_made(n_items=8)
    scores = [0.2, 0.4, 0.5, 0.6, 0.9, 0.1, 0.7, 0.3]
    made.add(A, scores)
    made.add(B, [0.5] * 8)
    board = rows_by_prompt(made.sweep)
    low, high = bootstrap_ci(scores, seed=made.sweep.pk)
    assert board["a"]["ci95"] == pytest.approx([low, high], abs=1e-4)
    assert board["a"]["score"] == round(float(np.mean(scores)), 4)
    assert board["a"]["n"] == 8
    # Asked again, the same interval: a dashboard must not see it move.
    assert rows_by_prompt(made.sweep)["a"]["ci95"] == board["a"]["ci95"]
    assert board["b"]["ci95"] == [0.5, 0.5]  # no spread, no width


def test_samples_are_resampled_as_their_own_pairs(project):
    made = hand_made(n_items=3)
    made.add(A, [0.1, 0.5, 0.9], sample=0)
    made.add(A, [0.3, 0.4, 1.0], sample=1)
    row = rows_by_prompt(made.sweep)["a"]
    # Units are (item, sample) pairs in (item, sample) order.
    by_pair = [0.1, 0.3, 0.5, 0.4, 0.9, 1.0]
    assert row["n"] == 6
    expected = bootstrap_ci(by_pair, seed=made.sweep.pk)
    assert row["ci95"] == pytest.approx(expected, abs=1e-4)


def test_failed_runs_count_as_errors_and_not_in_the_mean_or_n(project):
    made = hand_made(n_items=5)
    made.add(A, [0.8, 0.6])
    made.add(A, [None, None, None], items=[2, 3, 4], status="failed")
    made.add(B, [None, None], status="failed")
    board = rows_by_prompt(made.sweep)
    a, b = board["a"], board["b"]
    assert (a["n"], a["errors"], a["score"], a["runs"]) == (2, 3, 0.7, 5)
    assert a["error_rate"] == 0.6
    low, high = a["ci95"]
    assert 0.6 <= low < 0.7 < high <= 0.8
    assert (b["score"], b["ci95"], b["n"], b["errors"], b["error_rate"]) == (
        None, None, 0, 2, 1.0)  # fmt: skip


def test_rows_rank_best_mean_first_then_fewer_errors_and_unscored_last(project):
    made = hand_made(n_items=3)
    made.add(config("b"), [0.5, 0.5])
    made.add(config("b"), [None], items=[2], status="failed")
    made.add(config("c"), [0.5, 0.5])
    made.add(config("a"), [0.9])
    made.add(config("z"), [None], status="failed")
    board = made.sweep.runs.leaderboard()
    assert [(r["rank"], r["config"]["prompt"]) for r in board] == [
        (1, "a"), (2, "c"), (3, "b"), (4, "z")]  # fmt: skip


def test_rows_carry_scorers_cache_hits_tokens_cost_and_latency(project):
    made = hand_made(n_items=4)
    latencies = [100.0, 300.0, 200.0, 1000.0]
    made.add(
        A, [1.0, 0.5, 0.5, 0.0],
        scorers={"json_valid": [1, 1, 1, 0], "json_f1:people": [1.0, 0.0, 0.0, 0.0]},
        cache_hit=[True, False, False, False], cost=[0.0, 0.002, 0.002, 0.004],
        latency_ms=latencies, prompt_tokens=10, completion_tokens=[5, 6, 7, 8],
    )  # fmt: skip
    made.add(A, [None], items=[0], sample=1, status="failed", cost=None)
    made.add(B, [0.5, 0.5], latency_ms=50.0)  # no price: no cost per run
    board = rows_by_prompt(made.sweep)
    a = board["a"]
    assert a["scores"] == {"json_f1:people": 0.25, "json_valid": 0.75}
    assert a["cache_hit_rate"] == 0.2  # 1 of 5 finished runs
    assert (a["prompt_tokens"], a["completion_tokens"]) == (40, 26)
    assert a["cost_total"] == a["cost"] == 0.008
    assert a["cost_per_run"] == 0.002  # over the 4 runs with a price
    assert a["latency_ms_p50"] == percentile(latencies, 50) == 250.0
    assert a["latency_ms_p95"] == round(percentile(latencies, 95), 1) == 895.0
    b = board["b"]
    assert (b["cost"], b["cost_per_run"], b["latency_ms_p95"]) == (0.0, None, 50.0)
    assert b["on_front"] == {"cost": None, "latency": True}


def test_a_single_stage_row_has_no_stages_and_a_pipeline_row_its_choices(project):
    made = hand_made(n_items=2)
    made.add(A, [0.5, 0.5])
    assert "stages" not in made.sweep.runs.leaderboard()[0]
    piped = hand_made(n_items=2)
    two = config(stages=[("extract", "x", "m1", {}), ("tidy", "y", "m2", {})])
    piped.add(two, [0.5, 0.7])
    row = piped.sweep.runs.leaderboard()[0]
    assert [s["stage"] for s in row["stages"]] == ["extract", "tidy"]
    assert row["config"]["prompt"] == "y"


def test_a_sweep_without_runs_has_an_empty_leaderboard(project):
    made = hand_made()
    assert made.sweep.runs.leaderboard() == []
    assert made.sweep.runs.pareto()["cost"] == []
    assert made.sweep.runs.marginals()["axes"] == []
    assert made.sweep.runs.heatmap()["cells"] == []
