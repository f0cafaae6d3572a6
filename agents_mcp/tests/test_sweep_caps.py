"""Budgets: a running sweep stops at its call cap or when an endpoint stays
rate-limited too long (status saying why); agent sweeps get the server's
caps when they ask for more."""

from __future__ import annotations

import pytest

from experiments.models import Run
from experiments.services.budgets import (
    Budget,
    BudgetExceeded,
    agent_budget,
    start_sweep_within,
)
from experiments.tests.engine_helpers import extraction_spec, start

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_running_sweep_stops_at_its_call_cap(project, make_simulator):
    simulator = make_simulator(latency_ms=30)
    spec = extraction_spec(simulator.base_url, concurrency=1)
    sweep = start(spec, caps={"max_calls": 3})
    from experiments.services.sweeps import run_sweep

    sweep = run_sweep(sweep)
    assert sweep.status == "cancelled"
    assert "max_calls 3 reached" in sweep.error_message
    assert 3 <= sweep.calls < 24
    assert not sweep.runs.filter(status=Run.Status.PENDING).exists()


def test_a_sweep_stops_when_an_endpoint_stays_rate_limited(project, make_simulator):
    simulator = make_simulator(rate429=1.0)
    spec = extraction_spec(simulator.base_url, n_items=2, concurrency=1)
    sweep = start(spec, caps={"rate_limited_s": 0.2})
    from experiments.services.sweeps import run_sweep

    sweep = run_sweep(sweep)
    assert sweep.status == "cancelled"
    assert "stayed rate-limited for more than 0.2 s" in sweep.error_message


def test_agent_sweeps_get_the_server_caps(settings):
    settings.AGENT_MAX_RUNS, settings.AGENT_MAX_COST = 10, 2.0
    settings.AGENT_MAX_CALLS = None
    assert agent_budget(Budget()) == Budget(max_runs=10, max_cost=2.0)
    assert agent_budget(Budget(max_runs=50, max_cost=1.0, max_calls=7)) == Budget(
        max_runs=10, max_calls=7, max_cost=1.0
    )


def test_a_start_over_the_server_cap_is_refused(project, alice, settings):
    settings.AGENT_MAX_RUNS = 10
    spec = extraction_spec("http://127.0.0.1:9/v1")
    experiment = start(spec).experiment
    experiment.sweeps.all().delete()
    with pytest.raises(BudgetExceeded, match="24 runs > max_runs 10") as refused:
        start_sweep_within(experiment, alice, agent_budget(Budget()))
    assert refused.value.estimate.runs == 24
    assert experiment.sweeps.count() == 0
