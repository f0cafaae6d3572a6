"""The spec's numeric edges: known parameters at their bounds, the in-flight
cap on a tie, and the sweep size limits exactly reached."""

from __future__ import annotations

import pytest

from experiments.spec.concurrency import (
    DEFAULT_MAX_CONCURRENCY,
    ENDPOINT_LIMIT,
    SWEEP_LIMIT,
    describe,
    in_flight_caps,
)
from experiments.spec.limits import (
    DEFAULT_MAX_CONFIGS,
    DEFAULT_MAX_RUNS,
    config_count,
    planned_runs,
    size_errors,
)
from experiments.spec.params import param_problem


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("temperature", 0),
        ("temperature", 2),
        ("top_p", 1),
        ("presence_penalty", -2),
        ("frequency_penalty", 2),
        ("max_tokens", 1),
        ("max_completion_tokens", 1),
        ("seed", -5),
        ("stop", "END"),
        ("stop", ["a", "b", "c", "d"]),
        ("n", 1),
        ("logprobs", False),
        ("top_logprobs", 0),
        ("top_logprobs", 20),
        ("response_format", {"type": "json_object"}),
        ("logit_bias", {"50256": -100}),
        ("user", "u"),
        ("top_k", "anything: unknown parameters are sent as written"),
    ],
)
def test_known_parameters_accept_their_bounds(name, value):
    assert param_problem(name, value) is None


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("temperature", 2.01, "must be a number between 0 and 2, got 2.01"),
        ("temperature", -0.1, "must be a number between 0 and 2, got -0.1"),
        ("top_p", 1.5, "must be a number between 0 and 1, got 1.5"),
        ("presence_penalty", -2.5, "must be a number between -2 and 2, got -2.5"),
        ("max_tokens", 0, "must be a positive integer, got 0"),
        ("max_tokens", 1.0, "must be a positive integer, got 1.0"),
        ("max_tokens", True, "must be a positive integer, got True"),
        ("max_completion_tokens", 0, "must be a positive integer, got 0"),
        ("seed", 1.5, "must be an integer, got 1.5"),
        ("stop", ["a", "b", "c", "d", "e"], "must be a string or a list of up to 4"),
        ("stop", [1], "must be a string or a list of up to 4"),
        ("n", 2, "must be 1 (only the first choice is scored"),
        ("logprobs", "yes", "must be true or false"),
        ("top_logprobs", 21, "must be an integer between 0 and 20, got 21"),
        ("top_logprobs", -1, "must be an integer between 0 and 20, got -1"),
        ("response_format", {}, 'must be an object with a "type"'),
        ("logit_bias", {"1": "x"}, "must be an object of token id: number"),
        ("user", 3, "must be a string, got 3"),
    ],
)
def test_known_parameters_refuse_past_their_bounds(name, value, message):
    assert param_problem(name, value).startswith(message)


def endpoints(**limits) -> dict:
    return {name: {"max_concurrency": value} for name, value in limits.items()}


def test_a_tie_names_the_sweeps_concurrency():
    [cap] = in_flight_caps(8, endpoints(a=8))
    assert cap == {
        "endpoint": "a",
        "effective": 8,
        "limited_by": SWEEP_LIMIT,
        "sweep_concurrency": 8,
        "max_concurrency": 8,
    }


def test_the_smaller_setting_limits_per_endpoint_by_name():
    caps = in_flight_caps(8, endpoints(b=9, a=7, c=None))
    assert [(c["endpoint"], c["effective"], c["limited_by"]) for c in caps] == [
        ("a", 7, ENDPOINT_LIMIT),
        ("b", 8, SWEEP_LIMIT),
        ("c", DEFAULT_MAX_CONCURRENCY, SWEEP_LIMIT),
    ]
    assert DEFAULT_MAX_CONCURRENCY == 8
    [floor] = in_flight_caps(4, endpoints(z=-3))
    assert (floor["effective"], floor["max_concurrency"]) == (1, 1)


def test_the_command_line_names_what_limits_it():
    endpoint, sweep = in_flight_caps(8, endpoints(a=2, b=16))
    assert describe(endpoint) == (
        'concurrency: "a" gets at most 2 calls in flight, limited by the '
        "endpoint's max_concurrency 2 (sweep concurrency 8)"
    )
    assert describe(sweep) == (
        'concurrency: "b" gets at most 8 calls in flight, limited by the '
        "sweep's concurrency 8 (endpoint max_concurrency 16)"
    )


def sized(strategy: dict, samples: int = 2) -> dict:
    return {
        "prompts": [{}, {}],
        "models": [{}, {}, {}],
        "params": {"t": [0, 1], "k": [1, 2, 3, 4, 5]},
        "samples": samples,
        "strategy": strategy,
    }


def test_counts_multiply_every_axis_and_the_budget_caps_runs():
    assert config_count(sized({"type": "grid"})) == 60
    assert planned_runs(sized({"type": "grid"}), n_items=7) == 60 * 7 * 2
    assert planned_runs(sized({"type": "grid", "budget": 10}), n_items=7) == 10
    assert planned_runs(sized({"type": "grid", "budget": 10**6}), n_items=7) == 840


def test_limits_are_inclusive():
    grid = sized({"type": "grid"})
    assert size_errors(grid, 7, max_configs=60, max_runs=840) == []
    [configs] = size_errors(grid, 7, max_configs=59, max_runs=840)
    assert configs.path == "strategy" and "60 configs" in configs.message
    [runs] = size_errors(grid, 7, max_configs=60, max_runs=839)
    assert runs.path == "strategy.budget" and "840 runs" in runs.message
    assert "capped by the budget" not in runs.message


def test_random_search_is_capped_by_runs_only():
    space = sized({"type": "random", "budget": 100})
    assert size_errors(space, 7, max_configs=1, max_runs=100) == []
    [runs] = size_errors(space, 7, max_configs=1, max_runs=99)
    assert "capped by the budget" in runs.message


def test_the_default_limits(settings):
    del settings.MAX_CONFIGS, settings.MAX_RUNS
    assert (DEFAULT_MAX_CONFIGS, DEFAULT_MAX_RUNS) == (10_000, 1_000_000)
    huge = sized({"type": "grid"})
    huge["params"] = {"a": list(range(100)), "b": list(range(17))}
    assert config_count(huge) == 10_200
    assert [e.path for e in size_errors(huge, 1)] == ["strategy"]
    huge["params"] = {"a": list(range(100)), "b": list(range(16))}
    assert size_errors(huge, 1) == []
