"""Pareto fronts on a hand-made sweep: score against cost per run and
against latency p50, with the score each dominated config gives up."""

from __future__ import annotations

import pytest

from experiments.analysis.tests.handmade import config, hand_made

pytestmark = pytest.mark.django_db

# prompt: (score on both items, cost per run, latency p50)
POINTS = {
    "a": (0.9, 3.0, 400.0),
    "b": (0.8, 1.0, 100.0),
    "c": (0.7, 2.0, 300.0),
    "d": (0.9, 4.0, 200.0),
    "e": (0.5, 0.5, 150.0),
}


@pytest.fixture
def sweep(project):
    made = hand_made(n_items=2)
    for name, (score, cost, latency) in POINTS.items():
        made.add(config(name), [score, score], cost=cost, latency_ms=latency)
    made.add(config("unpriced"), [1.0, 1.0], latency_ms=1000.0)
    made.add(config("dead"), [None, None], status="failed", cost=1.0)
    return made.sweep


def by_prompt(points: list[dict]) -> dict[str, dict]:
    return {p["config"]["prompt"]: p for p in points}


def test_the_cost_front_keeps_what_nothing_beats_on_score_and_cost(sweep):
    cost = by_prompt(sweep.runs.pareto()["cost"])
    # Worked out: b (0.8 at 1) beats c (0.7 at 2); a (0.9 at 3) beats d
    # (0.9 at 4): d gives up nothing, but pays more for it.
    assert {k: p["on_front"] for k, p in cost.items()} == {
        "a": True, "b": True, "c": False, "d": False, "e": True}  # fmt: skip
    assert {k: p["distance"] for k, p in cost.items()} == {
        "a": 0.0, "b": 0.0, "c": 0.1, "d": 0.0, "e": 0.0}  # fmt: skip
    # Unpriced and unscored configs are not points of the cost front.
    assert "unpriced" not in cost and "dead" not in cost
    assert [p["config"]["prompt"] for p in sweep.runs.pareto()["cost"]] == [
        "e", "b", "c", "a", "d"]  # fmt: skip
    assert cost["b"]["cost_per_run"] == 1.0 and cost["b"]["label"]


def test_the_latency_front_uses_each_configs_median_latency(sweep):
    latency = by_prompt(sweep.runs.pareto()["latency"])
    # b (0.8 at 100) beats e and c; d (0.9 at 200) beats a; unpriced (1.0
    # at 1000) has the best score.
    assert {k: p["on_front"] for k, p in latency.items()} == {
        "a": False, "b": True, "c": False, "d": True, "e": False,
        "unpriced": True}  # fmt: skip
    assert latency["e"]["distance"] == pytest.approx(0.3)  # b: 0.8 at 100 <= 150
    assert latency["c"]["distance"] == pytest.approx(0.2)  # d: 0.9 at 200 <= 300
    assert latency["a"]["distance"] == 0.0  # d: 0.9 too, faster


def test_leaderboard_rows_mark_both_fronts(sweep):
    marks = {r["config"]["prompt"]: r["on_front"] for r in sweep.runs.leaderboard()}
    assert marks["b"] == {"cost": True, "latency": True}
    assert marks["d"] == {"cost": False, "latency": True}
    assert marks["unpriced"] == {"cost": None, "latency": True}
    assert marks["dead"] == {"cost": None, "latency": None}
