"""Guided search's model and draws (``engine.thompson``): which configs get
the next items, from a posterior pooling every config's scores."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from experiments.engine import thompson
from experiments.engine.thompson import Posterior, design, predict


def grid(*sizes: int) -> list[list[int]]:
    return [list(levels) for levels in itertools.product(*map(range, sizes))]


def test_the_design_has_an_intercept_each_axis_value_and_each_pair_of_values():
    columns, penalties = design(np.array(grid(2, 3, 4)), [2, 3, 4])
    assert columns.shape == (24, 1 + 9 + (6 + 8 + 12))
    assert penalties[0] == thompson.INTERCEPT_PENALTY  # the mean: barely shrunk
    assert list(penalties[1:10]) == [thompson.MAIN_PENALTY] * 9
    assert set(penalties[10:]) == {thompson.PAIR_PENALTY}
    # Every config has the intercept, one value per axis, one pair per pair.
    assert set(columns.sum(axis=1)) == {1 + 3 + 3}


def test_a_space_too_large_for_pairs_is_modelled_by_its_axes_alone(monkeypatch):
    levels = np.array(grid(2, 3, 4))
    monkeypatch.setattr(thompson, "MOST_COLUMNS", 36)  # exactly what pairs need
    assert design(levels, [2, 3, 4])[0].shape == (24, 36)
    monkeypatch.setattr(thompson, "MOST_COLUMNS", 35)
    assert design(levels, [2, 3, 4])[0].shape == (24, 10)


def test_the_model_sees_a_pair_that_does_better_than_its_parts():
    levels = np.array(grid(4, 4))
    # Additive, except prompt 3 written for model 1.
    pair = [1.0 if (a, b) == (1, 3) else 0.0 for a, b in levels]
    means = np.array(
        [
            0.3 + 0.1 * a + 0.05 * b + 0.4 * p
            for (a, b), p in zip(levels, pair, strict=True)
        ]
    )
    runs = np.full(len(levels), 20.0)
    predicted = predict(levels, [4, 4], means, runs)
    special = 1 * 4 + 3
    assert predicted[special] == max(predicted)
    assert predicted[special] > 0.3 + 0.1 + 0.15 + 0.2  # more than the axes say
    # Without pairs, the axes alone put it below the best additive config.
    flat = np.array([0.3 + 0.1 * a + 0.05 * b for a, b in levels])
    assert np.allclose(predict(levels, [4, 4], flat, runs), flat, atol=0.02)


def test_posterior_means_shrink_few_runs_toward_the_model_and_stay_inside_0_1():
    levels = grid(3, 3)
    means = [1.0] + [0.2] * 8
    few = Posterior(levels, [3, 3], means, [1] + [10] * 8).means
    many = Posterior(levels, [3, 3], means, [200] + [10] * 8).means
    assert 0 < few[0] < many[0] < 1
    assert many[0] > 0.95  # its own runs outweigh the model
    assert few[0] < 0.8  # one lucky item does not
    assert all(0 < m < 1 for m in few)


def test_scores_outside_0_1_are_read_as_their_nearest_bound():
    levels = grid(2, 2)
    high = Posterior(levels, [2, 2], [1.7, 0.5, 0.5, 0.5], [4] * 4).means
    one = Posterior(levels, [2, 2], [1.0, 0.5, 0.5, 0.5], [4] * 4).means
    assert np.allclose(high, one)


def posterior_with_a_clear_best() -> Posterior:
    levels = grid(3, 4)
    means = [0.9 if i == 5 else 0.3 for i in range(12)]
    return Posterior(levels, [3, 4], means, [4] * 12)


def every(room: int) -> dict[int, int]:
    return dict.fromkeys(range(12), room)


def test_items_go_where_there_is_room_and_mostly_to_the_best():
    posterior = posterior_with_a_clear_best()
    room = every(10) | {7: 0}  # 7 has seen every item already
    given = posterior.allocate(np.random.default_rng(1), room, 60)
    assert sum(given.values()) == 60
    assert given[7] == 0 and all(given[i] <= room[i] for i in room)
    assert given[5] == 10 == max(given.values())  # the best fills its room
    # Top-two: the challengers get items too, not only the leader.
    assert sum(1 for g in given.values() if g) >= 3


def test_the_items_given_stop_when_no_config_has_room():
    posterior = posterior_with_a_clear_best()
    room = every(0) | {2: 3}
    assert posterior.allocate(np.random.default_rng(1), room, 10) == every(0) | {2: 3}
    assert posterior.allocate(np.random.default_rng(1), every(0), 10) == every(0)


def test_only_the_configs_offered_get_items_though_all_are_modelled():
    posterior = posterior_with_a_clear_best()  # 5, the clear best, not offered
    given = posterior.allocate(np.random.default_rng(1), {1: 4, 2: 4}, 6)
    assert set(given) == {1, 2} and sum(given.values()) == 6


def test_the_same_seed_gives_the_same_items():
    posterior = posterior_with_a_clear_best()
    draw = [
        posterior.allocate(np.random.default_rng(s), every(5), 20) for s in (4, 4, 9)
    ]
    assert draw[0] == draw[1] != draw[2]


@pytest.mark.parametrize("leader_share", [0.0, 1.0])
def test_the_leader_share_splits_items_between_leader_and_challengers(
    monkeypatch, leader_share
):
    monkeypatch.setattr(thompson, "LEADER_SHARE", leader_share)
    given = posterior_with_a_clear_best().allocate(
        np.random.default_rng(2), every(40), 30
    )
    if leader_share == 1.0:  # always the draw's leader: the clear best
        assert given[5] >= 25
    else:  # always a challenger: the best rarely
        assert given[5] <= 5


def test_by_default_the_leader_gets_about_half_the_items():
    given = posterior_with_a_clear_best().allocate(
        np.random.default_rng(2), every(40), 30
    )
    assert 8 <= given[5] <= 22  # neither always (>= 25) nor rarely (<= 5)


def test_predictions_stay_off_0_and_1_so_every_beta_is_proper():
    levels = np.array(grid(2, 2))
    runs = np.full(4, 50.0)
    assert set(predict(levels, [2, 2], np.ones(4), runs)) == {1 - thompson.EDGE}
    assert set(predict(levels, [2, 2], np.zeros(4), runs)) == {thompson.EDGE}
    posterior = Posterior(grid(2, 2), [2, 2], [1.0] * 4, [0] * 4)
    assert (posterior.alpha > 0).all() and (posterior.beta > 0).all()
