"""The vectorised bootstrap on its own: the edge cases of a sweep (no unit,
one unit), and slices of resamples giving exactly the whole draw's means."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.analysis import resample
from experiments.analysis.resample import Draws, intervals, paired
from experiments.analysis.stats import bootstrap_ci, paired_difference


def test_no_unit_means_every_resample_is_undefined():
    means = Draws(0, seed=0, resamples=7).means(np.zeros((0, 3)), np.zeros((0, 3)))
    assert means.shape == (7, 3) and np.isnan(means).all()


def test_one_unit_resamples_to_its_own_value():
    sums, counts = np.array([[1.5, 0.4]]), np.array([[2.0, 1.0]])  # means 0.75, 0.4
    means = Draws(1, seed=3, resamples=5).means(sums, counts)
    assert means.shape == (5, 2)
    assert np.allclose(means[:, 0], 0.75) and np.allclose(means[:, 1], 0.4)


def test_a_column_without_values_resamples_to_undefined_not_zero():
    sums = np.array([[0.0, 0.2], [0.0, 0.4], [0.0, 0.6]])
    counts = np.array([[0.0, 1.0], [0.0, 1.0], [0.0, 1.0]])
    means = Draws(3, seed=0, resamples=50).means(sums, counts)
    assert np.isnan(means[:, 0]).all()
    assert ((means[:, 1] >= 0.2) & (means[:, 1] <= 0.6)).all()


@pytest.mark.parametrize("cells", [7 * 10, 3 * 10, 10])  # slices of 7, 3, 1 resamples
def test_slices_of_resamples_give_the_whole_draws_means(monkeypatch, cells):
    rng = np.random.default_rng(1)
    counts = rng.integers(0, 3, size=(10, 4)).astype(float)
    sums = counts * rng.random((10, 4))
    whole = Draws(10, seed=5, resamples=20).means(sums, counts)
    monkeypatch.setattr(resample, "MAX_CELLS", cells)
    sliced = Draws(10, seed=5, resamples=20).means(sums, counts)
    assert sliced.shape == whole.shape == (20, 4)  # 20 is no multiple of 7 nor 3
    assert np.array_equal(np.isnan(sliced), np.isnan(whole))
    assert np.allclose(sliced[~np.isnan(whole)], whole[~np.isnan(whole)])


def test_a_complete_column_has_the_same_interval_as_stats_bootstrap():
    values = np.array([0.1, 0.9, 0.4, 0.7, 0.3, 0.8])
    got = intervals(Draws(6, seed=0), values[:, None], np.ones((6, 1)))
    assert got == [pytest.approx(bootstrap_ci(list(values)))]


def test_intervals_say_none_without_values_and_the_value_without_spread():
    sums = np.array([[0.0, 0.5, 0.2], [0.0, 0.5, 0.8]])
    counts = np.array([[0.0, 1.0, 1.0], [0.0, 1.0, 1.0]])
    none, flat, spread = intervals(Draws(2, seed=0), sums, counts)
    assert none is None and flat == (0.5, 0.5)
    assert spread is not None and 0.2 <= spread[0] < spread[1] <= 0.8


def test_units_with_the_same_mean_have_no_spread_whatever_their_counts():
    # Unit means 0.5, 0.5 (one of two samples), and a unit without values.
    sums = np.array([[1.0], [0.5], [0.0]])
    counts = np.array([[2.0], [1.0], [0.0]])
    assert intervals(Draws(3, seed=0), sums, counts) == [(0.5, 0.5)]
    # Unit means 0.5 and 2.0: a spread, though sums times counts would agree.
    ((low, high),) = intervals(Draws(2, seed=0), np.array([[1.0], [2.0]]), counts[:2])
    assert 0.5 <= low < high <= 2.0


def test_paired_differences_without_spread_are_certain_or_not_at_all():
    # The last item is paired in no column: it counts nowhere.
    diffs = np.array([[0.0, 0.25, 0.1], [0.0, 0.25, 0.3], [0.9, 0.9, 0.9]])
    shared = np.array([[True, True, False], [True, True, False], [False, False, False]])
    same, shifted, unpaired = paired(Draws(3, seed=0), diffs, shared)
    assert same == (0.0, (0.0, 0.0), 1.0, 2)
    assert shifted == (0.25, (0.25, 0.25), 0.0, 2)
    assert unpaired is None


def test_paired_differences_are_stats_paired_difference_for_every_column():
    rng = np.random.default_rng(2)
    a, b = rng.random((8, 3)), rng.random((8, 3))
    b[:, 2] = a[:, 2] - 0.01 * rng.random(8)  # a small, steady difference
    shared = np.ones((8, 3), dtype=bool)
    shared[6:, 1] = False  # the middle column paired on 6 items only
    got = paired(Draws(8, seed=0), a - b, shared)
    for j in (0, 2):
        want = paired_difference(a[:, j], b[:, j])
        mean, interval, p, n = got[j]
        assert mean == pytest.approx(want.mean) and n == want.n == 8
        assert interval == pytest.approx(want.ci95) and p == pytest.approx(want.p_value)
    assert got[2][2] < 0.01 < got[0][2]  # the steady difference is significant
    mean, interval, p, n = got[1]
    assert n == 6 and mean == pytest.approx(float((a - b)[:6, 1].mean()))
    assert interval[0] < mean < interval[1] and 0 < p <= 1


def test_a_column_missing_some_units_gets_a_finite_interval_within_its_values():
    # No value on unit 2: 1 resample in 27 draws only it (a NaN mean).
    sums, counts = np.array([[0.2], [0.0], [0.9]]), np.array([[1.0], [0.0], [1.0]])
    draws = Draws(3, seed=1, resamples=400)
    assert np.isnan(draws.means(sums, counts)).any()
    ((low, high),) = intervals(draws, sums, counts)
    assert 0.2 <= low < high <= 0.9


def test_paired_ties_at_the_observed_distance_count_as_extreme_as_in_stats():
    # 0/1 scores: many resampled means land exactly as far from zero.
    a = np.array([1, 1, 0, 1, 0, 1, 1, 0, 1, 1], dtype=float)
    b = np.array([1, 0, 0, 1, 1, 0, 1, 0, 0, 1], dtype=float)
    (got,) = paired(Draws(10, seed=0), (a - b)[:, None], np.ones((10, 1), dtype=bool))
    want = paired_difference(a, b)
    assert got[2] == pytest.approx(want.p_value) and got[1] == pytest.approx(want.ci95)
