"""The analysis statistics against distributions whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.analysis.stats import (
    bootstrap_ci,
    distance_to_front,
    holm,
    paired_difference,
    pareto_front,
    percentile,
    variance_explained,
)

TRIALS = 300


def test_bootstrap_intervals_cover_the_true_mean_about_95_percent_of_the_time():
    rng = np.random.default_rng(7)
    covered = 0
    for trial in range(TRIALS):
        sample = rng.normal(0.6, 0.2, size=40)
        low, high = bootstrap_ci(sample, seed=trial, resamples=1000)
        covered += low <= 0.6 <= high
    assert 0.90 <= covered / TRIALS <= 0.98


def test_the_same_seed_gives_the_same_interval_and_another_seed_may_not():
    sample = np.random.default_rng(1).uniform(size=30)
    assert bootstrap_ci(sample, seed=3) == bootstrap_ci(sample, seed=3)
    assert bootstrap_ci(sample, seed=3) != bootstrap_ci(sample, seed=4)


def test_an_interval_without_spread_is_the_value_and_without_values_none():
    assert bootstrap_ci([0.5, 0.5, 0.5]) == (0.5, 0.5)
    assert bootstrap_ci([]) is None


def test_paired_test_flags_a_null_difference_at_about_the_stated_rate():
    rng = np.random.default_rng(11)
    flagged = 0
    for trial in range(TRIALS):
        item_difficulty = rng.uniform(0.2, 0.8, size=40)
        a = item_difficulty + rng.normal(0, 0.1, size=40)
        b = item_difficulty + rng.normal(0, 0.1, size=40)
        flagged += paired_difference(a, b, seed=trial, resamples=1000).p_value < 0.05
    assert 0.01 <= flagged / TRIALS <= 0.09


def test_paired_test_detects_a_real_difference_the_unpaired_noise_would_hide():
    rng = np.random.default_rng(5)
    detected = 0
    for trial in range(100):
        item_difficulty = rng.uniform(0.0, 1.0, size=40)  # spread >> the gap
        a = item_difficulty + 0.05 + rng.normal(0, 0.05, size=40)
        b = item_difficulty + rng.normal(0, 0.05, size=40)
        result = paired_difference(a, b, seed=trial, resamples=1000)
        detected += result.p_value < 0.05 and result.ci95[0] > 0
    assert detected >= 90


def test_paired_difference_reports_the_mean_difference_and_pairs():
    result = paired_difference([0.9, 0.8, 0.7], [0.6, 0.8, 0.4])
    assert result.mean == pytest.approx(0.2)
    assert result.n == 3
    assert result.ci95[0] <= 0.2 <= result.ci95[1]
    same = paired_difference([0.5, 0.7], [0.5, 0.7])
    assert (same.mean, same.p_value) == (0.0, 1.0)
    shifted = paired_difference([0.6, 0.8], [0.5, 0.7])
    assert shifted.p_value == 0.0 and shifted.ci95 == pytest.approx((0.1, 0.1))
    assert paired_difference([], []) is None


def test_holm_adjusts_each_p_value_by_its_rank_and_keeps_the_order():
    assert holm([0.01, 0.04, 0.03, 0.20]) == pytest.approx([0.04, 0.09, 0.09, 0.20])
    assert holm([0.5, 0.6]) == [1.0, 1.0]
    assert holm([]) == []


def test_pareto_front_keeps_what_nothing_beats_on_score_and_cost():
    score = [0.9, 0.8, 0.7, 0.9, 0.5]
    cost = [3.0, 1.0, 2.0, 4.0, 0.5]
    front = pareto_front(score, cost)
    assert front == [True, True, False, False, True]
    # C (0.7 at 2.0): B gives 0.8 for less; D (0.9 at 4.0): A gives 0.9 for less.
    assert distance_to_front(score, cost, front) == pytest.approx([0, 0, 0.1, 0, 0])


def test_equal_points_are_both_on_the_front():
    assert pareto_front([0.5, 0.5], [1.0, 1.0]) == [True, True]


def test_the_same_score_for_more_money_is_off_the_front():
    assert pareto_front([0.5, 0.5], [1.0, 2.0]) == [True, False]


def test_variance_explained_is_the_share_between_the_groups():
    values = np.array([1.0, 2.0, 3.0, 4.0])
    assert variance_explained(values, np.array(["a", "a", "b", "b"])) == 0.8
    assert variance_explained(values, np.array(["a", "b", "a", "b"])) == 0.2
    assert variance_explained(values, np.array(["a", "b", "c", "d"])) == 1.0
    assert variance_explained(np.ones(4), np.array(["a", "b", "a", "b"])) == 0.0


# Exact values: the same sweep must show the same intervals and p-values on
# every reload, and after an upgrade (a changed resample count, level or
# draw would move every dashboard's figures).
SPREAD = [0.91, 0.12, 0.55, 0.37, 0.78, 0.04, 0.66, 0.29, 0.83, 0.48, 0.21, 0.7]


def test_the_interval_is_the_2000_resample_95_percent_bootstrap_of_seed_0():
    assert bootstrap_ci(SPREAD) == pytest.approx((0.3383125, 0.6533333333333334))
    assert bootstrap_ci(SPREAD) == bootstrap_ci(SPREAD, seed=0, resamples=2000)


def test_a_spread_below_float_noise_is_no_spread():
    # 1e-12 apart is what sums of floats leave over: one value, not two.
    assert bootstrap_ci([0.0, 1e-12]) == (5e-13, 5e-13)
    assert paired_difference([1e-12], [0.0]).p_value == 1.0
    noise = paired_difference([0.0, 1e-12], [0.0, 0.0])
    assert (noise.ci95, noise.p_value) == ((5e-13, 5e-13), 1.0)


def test_the_paired_p_value_counts_resamples_as_far_from_zero_ties_included():
    # 0/1 scores: many resampled means tie the observed distance exactly.
    result = paired_difference([1, 0, 1, 1, 0, 1], [0, 0, 0, 1, 0, 0])
    assert result.mean == 0.5 and result.n == 6
    assert result.p_value == pytest.approx(71 / 2001)
    assert result.ci95 == pytest.approx((1 / 6, 5 / 6))
    assert paired_difference([0.9, 0.2], [0.5, 0.3]) == paired_difference(
        [0.9, 0.2], [0.5, 0.3], seed=0, resamples=2000
    )


def test_paired_differences_cannot_be_altered_once_reported():
    result = paired_difference([0.9, 0.8], [0.6, 0.8])
    with pytest.raises(AttributeError):
        result.p_value = 0.5  # type: ignore[misc]


def test_holm_never_adjusts_a_p_value_above_one():
    assert holm([0.6, 0.7]) == [1.0, 1.0]


def test_a_point_dearer_than_none_on_the_front_gives_up_what_the_same_cost_buys():
    score, cost = [0.9, 0.7], [1.0, 1.0]
    front = pareto_front(score, cost)
    assert front == [True, False]
    assert distance_to_front(score, cost, front) == pytest.approx([0.0, 0.2])


def test_variance_explained_needs_two_values():
    assert variance_explained(np.array([1.0, 3.0]), np.array(["a", "b"])) == 1.0
    assert variance_explained(np.array([1.0]), np.array(["a"])) is None


def test_percentiles_of_the_values_and_none_without():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([], 50) is None
