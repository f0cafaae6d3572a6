"""Successive halving's decisions, on their own: nested seeded items, the
best promoted by one objective, or by non-dominated rank with two."""

from __future__ import annotations

from experiments.engine.halving import fronts, item_order, promote


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
