"""The planners exactly: grid order and budget, random sampling, the config
index decoding, and the size guard."""

from __future__ import annotations

import itertools
import random
import sys

import pytest

from experiments.engine import planner
from experiments.engine.planner import (
    Config,
    PlanTooLarge,
    config_at,
    configs,
    grid,
    plan,
    random_sample,
)
from experiments.hashing import sha256_json


def spec(strategy=None, samples=1, params=None) -> dict:
    return {
        "prompts": [{"name": "p1"}, {"name": "p2"}],
        "models": [
            {"endpoint": "e", "model": "m1"},
            {"endpoint": "f", "model": "m2"},
        ],
        "params": {"t": [0, 1], "k": ["a", "b", "c"]} if params is None else params,
        "samples": samples,
        "strategy": strategy or {"type": "grid"},
    }


def test_configs_are_prompt_major_then_model_then_the_last_axis_fastest():
    got = [(c.prompt, c.model, c.params["t"], c.params["k"]) for c in configs(spec())]
    expected = [
        (p, m, t, k)
        for p, m, t, k in itertools.product(["p1", "p2"], ["m1", "m2"], [0, 1], "abc")
    ]
    assert got == expected
    assert configs(spec())[0].endpoint == "e" and configs(spec())[6].endpoint == "f"


def test_config_at_decodes_every_index_and_refuses_one_past_the_end():
    every = configs(spec())
    assert [config_at(spec(), i) for i in range(len(every))] == every
    with pytest.raises(IndexError):
        config_at(spec(), len(every))
    assert config_at(spec(params={}), 3) == Config("p2", "f", "m2", {})


def test_a_configs_hash_is_the_hash_of_its_fields():
    config = Config("p", "e", "m", {"t": 0})
    assert config.hash == sha256_json(
        {"prompt": "p", "endpoint": "e", "model": "m", "params": {"t": 0}}
    )


def test_grid_is_item_major_with_every_sample():
    runs = list(grid(spec(samples=2), n_items=2))
    every = configs(spec())
    assert len(runs) == 24 * 2 * 2
    assert [(r.item_index, r.sample_index) for r in runs[::24]] == [
        (0, 0),
        (0, 1),
        (1, 0),
        (1, 1),
    ]
    assert [r.config for r in runs[24:48]] == every
    assert runs[24].config is runs[0].config  # built once, reused


def test_a_grid_budget_keeps_the_first_runs():
    capped = list(grid(spec({"type": "grid", "budget": 5}), n_items=3))
    assert [(r.config, r.item_index) for r in capped] == [
        (c, 0) for c in configs(spec())[:5]
    ]


def test_random_search_draws_the_budget_distinct_runs_reproducibly():
    strategy = {"type": "random", "budget": 10, "seed": 3}
    runs = list(random_sample(spec(strategy, samples=2), n_items=3))
    keys = [(r.config.hash, r.item_index, r.sample_index) for r in runs]
    assert len(set(keys)) == 10
    everything = {
        (r.config.hash, r.item_index, r.sample_index)
        for r in grid(spec(samples=2), n_items=3)
    }
    assert set(keys) <= everything
    again = list(random_sample(spec(strategy, samples=2), n_items=3))
    assert [(r.config, r.item_index, r.sample_index) for r in again] == [
        (r.config, r.item_index, r.sample_index) for r in runs
    ]
    other = list(random_sample(spec({**strategy, "seed": 4}, samples=2), n_items=3))
    assert {(r.config.hash, r.item_index) for r in other} != {
        (r.config.hash, r.item_index) for r in runs
    }


def test_random_search_decodes_flat_indices_in_order():
    # The same draws as ever: flat index -> (config, item, sample), sorted.
    strategy = {"type": "random", "budget": 4, "seed": 0}
    runs = list(random_sample(spec(strategy, samples=2), n_items=3))
    flat = sorted(random.Random(0).sample(range(24 * 3 * 2), 4))
    assert [
        (configs(spec()).index(r.config) * 6 + r.item_index * 2 + r.sample_index)
        for r in runs
    ] == flat


def test_a_random_budget_over_the_space_plans_the_whole_space():
    strategy = {"type": "random", "budget": 10_000}
    assert len(list(random_sample(spec(strategy), n_items=2))) == 48


def test_the_default_seed_is_zero():
    a = list(random_sample(spec({"type": "random", "budget": 5}), n_items=2))
    b = list(random_sample(spec({"type": "random", "budget": 5, "seed": 0}), 2))
    assert [(r.config, r.item_index) for r in a] == [
        (r.config, r.item_index) for r in b
    ]


def test_indices_beyond_sys_maxsize_are_drawn_distinct_and_in_range():
    total = sys.maxsize * 4
    chosen = planner._sample_indices(random.Random(1), total, 50)
    assert len(set(chosen)) == 50 and all(0 <= i < total for i in chosen)
    small = planner._sample_indices(random.Random(1), sys.maxsize, 3)
    assert small == random.Random(1).sample(range(sys.maxsize), 3)


def test_plan_uses_the_strategys_planner_and_refuses_oversized_specs(settings):
    assert len(list(plan(spec(), n_items=1))) == 24
    random_plan = plan(spec({"type": "random", "budget": 3}), n_items=1)
    assert len(list(random_plan)) == 3
    settings.MAX_CONFIGS = 23
    with pytest.raises(PlanTooLarge, match="24 configs"):
        plan(spec(), n_items=1)
    settings.MAX_CONFIGS = 24
    assert len(list(plan(spec(), n_items=1))) == 24


def test_configs_and_planned_runs_are_immutable_values():
    import dataclasses

    config = Config("p", "e", "m", {})
    run = next(iter(grid(spec(), n_items=1)))
    for value in (config, run):
        with pytest.raises(dataclasses.FrozenInstanceError):
            value.item_index = 3
