"""Optuna's side of guided search on its own (no sweep): each config asked
once, repeats told what they scored, the sampler per number of objectives."""

from __future__ import annotations

import random

import optuna
from optuna.trial import TrialState

from experiments.engine.asker import Asker, Space
from experiments.spec import validate_spec
from experiments.tests.engine_helpers import extraction_spec


def space(temperatures=(0.0, 0.7)) -> Space:
    """1 prompt x 2 models x the temperatures."""
    doc = extraction_spec(
        "http://127.0.0.1:9/v1", params={"temperature": list(temperatures)}
    )
    return Space(validate_spec(doc).spec)


def test_each_config_is_asked_once_until_the_space_runs_out():
    asker = Asker(space(), seed=1, objectives=["score"])
    assert asker.untried == 4
    first = asker.ask(3)
    assert len({a.index for a in first}) == 3 and asker.untried == 1
    rest = asker.ask(5)
    assert [a.number for a in first + rest] == [0, 1, 2, 3]
    assert sorted(a.index for a in first + rest) == [0, 1, 2, 3]
    assert asker.untried == 0 and asker.ask(2) == []


def test_one_objective_uses_tpe_two_use_nsga_ii():
    assert isinstance(
        Asker(space(), 1, ["score"]).study.sampler, optuna.samplers.TPESampler
    )
    two = Asker(space(), 1, ["score", "-cost"]).study.sampler
    assert isinstance(two, optuna.samplers.NSGAIISampler)


def test_a_told_config_is_told_to_the_study_and_its_repeat_gets_the_same_values():
    asker = Asker(space(), seed=2, objectives=["score"])
    asker.prefer([0])
    (first,) = asker.ask(1)
    assert first.index == 0
    asker.tell(first, (0.7,))
    trial = asker.study.trials[0]
    assert trial.state == TrialState.COMPLETE and trial.values == [0.7]

    # Config 0 again: the study hears 0.7 for it, and in its place the
    # seeded fallback's first draw of a config not tried yet is asked.
    draws = random.Random("guided-fallback:2")
    expected = next(i for i in iter(lambda: draws.randrange(4), None) if i != 0)
    asker.prefer([0])
    (other,) = asker.ask(1)
    assert other.index == expected
    repeat = asker.study.trials[1]
    assert repeat.params == asker.space.params(0)
    assert repeat.state == TrialState.COMPLETE and repeat.values == [0.7]


def test_a_repeat_of_a_config_not_scored_yet_fails_in_the_study():
    asker = Asker(space(), seed=3, objectives=["score"])
    asker.prefer([1, 1, 1])  # the same config once only
    (first,) = asker.ask(1)
    assert first.index == 1 and len(asker.study.trials) == 1
    asker.prefer([1])
    (other,) = asker.ask(1)
    assert other.index != 1
    assert asker.study.trials[1].state == TrialState.FAIL


def test_a_crowded_space_still_finds_its_last_untried_config():
    asker = Asker(space(temperatures=[i / 100 for i in range(100)]), 4, ["score"])
    asker.seen = {i: (0.0,) for i in range(asker.space.size) if i != 137}
    assert asker._draw_untried() == 137
    asker.seen[137] = (0.0,)
    assert asker._draw_untried() is None
