"""Each config against the best, on the items both have: which are tied with
it, by how much the others trail, and the spread across samples."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.analysis.stats import holm, paired_difference
from experiments.analysis.tests.handmade import config, hand_made

pytestmark = pytest.mark.django_db


def rows_by_prompt(sweep) -> dict[str, dict]:
    return {row["config"]["prompt"]: row for row in sweep.runs.leaderboard()}


def test_a_config_behind_on_every_item_is_not_tied_and_an_equal_one_is(project):
    made = hand_made(n_items=6)
    best = [0.9, 0.8, 0.7, 0.9, 0.6, 0.8]
    made.add(config("best"), best)
    made.add(config("same"), best)
    made.add(config("behind"), [s - 0.2 for s in best])
    board = rows_by_prompt(made.sweep)
    assert board["best"]["rank"] == 1 and board["best"]["tied_with_best"]
    assert (board["best"]["p_value"], board["best"]["delta"]) == (None, 0.0)
    same, behind = board["same"], board["behind"]
    assert (same["tied_with_best"], same["p_value"], same["delta"]) == (True, 1.0, 0.0)
    # Exactly 0.2 behind on every item: no spread, the difference is certain.
    assert (behind["tied_with_best"], behind["p_value"]) == (False, 0.0)
    assert behind["delta"] == -0.2 and behind["delta_ci95"] == [-0.2, -0.2]
    assert behind["paired_items"] == 6


def test_p_values_are_the_paired_bootstrap_adjusted_by_holm(project):
    rng = np.random.default_rng(3)
    made = hand_made(n_items=30)
    difficulty = rng.uniform(0.3, 0.7, size=30)
    scores = {
        "top": difficulty + 0.1 + rng.normal(0, 0.05, 30),
        "twin": difficulty + 0.1 + rng.normal(0, 0.05, 30),
        "far": difficulty - 0.1 + rng.normal(0, 0.05, 30),
    }
    for name, values in scores.items():
        made.add(config(name), list(values))
    board = made.sweep.runs.leaderboard()
    best = scores[board[0]["config"]["prompt"]]
    others = board[1:]
    tests = [
        paired_difference(scores[row["config"]["prompt"]], best, seed=made.sweep.pk)
        for row in others
    ]
    adjusted = holm([t.p_value for t in tests])
    for row, test, p in zip(others, tests, adjusted, strict=True):
        assert row["p_value"] == pytest.approx(p, abs=1e-4)
        assert row["delta"] == pytest.approx(test.mean, abs=1e-4)
        assert row["delta_ci95"] == pytest.approx(list(test.ci95), abs=1e-4)
        assert row["tied_with_best"] == (p >= 0.05)
    far = next(row for row in board if row["config"]["prompt"] == "far")
    assert not far["tied_with_best"] and far["delta"] < -0.15


def test_only_the_items_both_configs_have_are_paired(project):
    made = hand_made(n_items=4)
    made.add(config("part"), [0.8, 0.8], items=[0, 1])
    made.add(config("full"), [1.0, 1.0, 0.2, 0.2])
    board = rows_by_prompt(made.sweep)
    assert board["part"]["rank"] == 1  # a mean of 0.8 against 0.6
    full = board["full"]
    # On the two items both have, "full" is ahead: 1.0 against 0.8.
    assert full["paired_items"] == 2
    assert full["delta"] == pytest.approx(0.2) and full["p_value"] == 0.0


def test_samples_are_averaged_per_item_before_pairing(project):
    made = hand_made(n_items=3)
    made.add(config("best"), [1.0, 1.0, 1.0], sample=0)
    made.add(config("best"), [1.0, 1.0, 1.0], sample=1)
    made.add(config("b"), [0.6, 0.4, 0.9], sample=0)
    made.add(config("b"), [0.8, 0.4, 0.7], sample=1)
    board = rows_by_prompt(made.sweep)
    b = board["b"]
    assert b["paired_items"] == 3
    per_item = np.array([0.7, 0.4, 0.8])  # the mean over its two samples
    test = paired_difference(per_item, np.ones(3), seed=made.sweep.pk)
    assert b["delta"] == pytest.approx(test.mean, abs=1e-4)
    assert b["p_value"] == pytest.approx(test.p_value, abs=1e-4)  # one test
    # Across samples: variances 0.02, 0, 0.02 (pairs 0.6/0.8 and 0.9/0.7).
    assert b["sample_variance"] == pytest.approx(0.04 / 3, abs=1e-6)
    assert board["best"]["sample_variance"] == 0.0


def test_with_one_sample_there_is_no_sample_variance(project):
    made = hand_made(n_items=2)
    made.add(config("a"), [0.1, 0.9])
    assert made.sweep.runs.leaderboard()[0]["sample_variance"] is None


def test_a_config_sharing_no_item_with_the_best_is_not_tested(project):
    made = hand_made(n_items=4)
    made.add(config("best"), [0.9, 0.9], items=[0, 1])
    made.add(config("elsewhere"), [0.5, 0.5], items=[2, 3])
    row = rows_by_prompt(made.sweep)["elsewhere"]
    assert (row["tied_with_best"], row["p_value"], row["paired_items"]) == (
        False, None, 0)  # fmt: skip
