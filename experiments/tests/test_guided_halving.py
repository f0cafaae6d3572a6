"""Successive halving's decisions, on their own: nested seeded items, the
best promoted by one objective, or by non-dominated rank with two."""

from __future__ import annotations

from experiments.engine.halving import (
    dominates,
    fronts,
    item_order,
    pooled,
    promote,
    ranked,
)


def test_items_are_shuffled_by_the_seed_alone():
    assert item_order([3, 1, 2, 9], seed=5) == item_order([9, 2, 1, 3], seed=5)
    assert sorted(item_order(range(20), seed=5)) == list(range(20))
    assert item_order(range(20), seed=5) != item_order(range(20), seed=6)


def test_one_objective_promotes_the_best_and_breaks_ties_by_ask_order():
    values = [(0.5,), (0.9,), (0.5,), (0.1,)]
    assert promote(values, 2) == ([1, 0], [2, 3])


def test_two_objectives_promote_the_front_first():
    # (score, -cost): 0 and 2 are on the front; 1 is dominated by 0; 3 by 2.
    values = [(0.9, -5.0), (0.8, -6.0), (0.5, -1.0), (0.4, -2.0)]
    assert fronts(values) == [0, 1, 0, 1]
    assert promote(values, 2) == ([0, 2], [1, 3])
    assert promote(values, 3) == ([0, 2, 1], [3])


def test_fronts_peel_layer_by_layer():
    values = [(3, 1), (2, 2), (1, 3), (2, 1), (1, 1), (0, 0)]
    assert fronts(values) == [0, 0, 0, 1, 2, 3]


def test_a_point_dominates_only_when_no_worse_anywhere_and_better_somewhere():
    assert dominates((2, 1), (1, 1)) and dominates((1, 2), (1, 1))
    assert not dominates((1, 1), (1, 1))  # equal: neither is better
    assert not dominates((2, 0), (1, 1)) and not dominates((1, 1), (2, 0))
    assert not dominates((1, 1), (2, 1))


def test_fronts_do_not_depend_on_the_order_the_points_come_in():
    values = [(3, 1), (2, 2), (1, 3), (2, 1), (1, 1), (0, 0)]
    ranks = [0, 0, 0, 1, 2, 3]
    assert fronts(values[::-1]) == ranks[::-1]
    # The worst first: each point is dominated by ones that come after it.
    assert fronts([(0, 0), (1, 1), (2, 2)]) == [2, 1, 0]
    # Equal points share a front; a point dominated twice waits for both.
    assert fronts([(1, 1), (0, 0), (1, 1), (0, 2)]) == [0, 1, 0, 0]
    assert promote([(0, 0), (1, 1), (2, 2)], 1) == ([2], [1, 0])


def test_a_single_config_ranks_and_pools_alone():
    assert ranked([(0.5,)]) == [0] and ranked([(0.5, -1.0)]) == [0]
    assert pooled([(0, 1)], [0.7], [3]) == [0.7]


def test_pooled_scores_borrow_from_the_configs_sharing_an_axis_value():
    # Two axes of two values; two runs each. Overall 0.625; axis 0's first
    # value is 0.375 above it, the second 0.375 below; axis 1's values 0.125
    # below and above. The additive guesses (0.875, 1.125 -> 1.0 at most,
    # 0.125, 0.375) count as four runs each beside the config's own two.
    levels = [(0, 0), (0, 1), (1, 0), (1, 1)]
    estimates = pooled(levels, [1.0, 1.0, 0.0, 0.5], [2, 2, 2, 2])
    assert [round(e, 6) for e in estimates] == [0.916667, 1.0, 0.083333, 0.416667]


def test_a_config_with_many_runs_keeps_nearly_its_own_mean():
    # Three configs of 400 runs at 0.2; the fourth, 0.9 on two runs, shares
    # each axis value with one of them: its guess is near 0.2.
    levels = [(0, 0), (0, 1), (1, 0), (1, 1)]
    estimates = pooled(levels, [0.2, 0.2, 0.2, 0.9], [400, 400, 400, 2])
    assert all(abs(e - 0.2) < 0.01 for e in estimates[:3])
    assert 0.43 < estimates[3] < 0.44  # (2 x 0.9 + 4 x 0.205) / 6


def test_pooling_changes_who_is_promoted_after_unlucky_items():
    # Config 2 shares its model (axis 0) with two strong configs but missed
    # its two items; config 3 got lucky with a weak model.
    levels = [(0, 0), (0, 1), (0, 2), (1, 3), (1, 4)]
    means, runs = [1.0, 1.0, 0.5, 1.0, 0.0], [2] * 5
    estimates = pooled(levels, means, runs)
    assert estimates[2] > estimates[4]
    assert promote([(e,) for e in estimates], 3)[0] == [0, 1, 3]
    strong_model = pooled(
        [(0, 0), (0, 1), (0, 2), (1, 3)], [1.0, 1.0, 0.5, 0.5], [2] * 4
    )
    assert strong_model[2] > strong_model[3]  # same mean, the better model's ahead


def test_pooling_without_runs_leaves_the_means():
    assert pooled([(0,), (1,)], [0.0, 0.0], [0, 0]) == [0.0, 0.0]


def test_an_additive_guess_outside_the_scores_seen_is_held_to_them():
    # Config 0's guess is 0.375, below every mean seen (0.5): it counts as 0.5.
    levels = [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert pooled(levels, [0.5, 0.5, 0.5, 1.0], [2] * 4)[0] == 0.5
