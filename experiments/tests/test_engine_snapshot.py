"""A sweep runs the endpoints its spec gave when it was started; a spec never
moves a stored endpoint (engine/endpoints.py, validator same_as_stored)."""

from __future__ import annotations

import json

import pytest

from experiments.models import Endpoint, Run
from experiments.services import create_experiment
from experiments.services.sweeps import create_sweep, run_sweep
from experiments.spec import SpecInvalid
from experiments.tests.engine_helpers import extraction_spec, run, start

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "sk-sim-secret-123"


def local_spec(base_url: str, name: str, **endpoint) -> dict:
    spec = extraction_spec(
        base_url,
        n_items=2,
        name=name,
        models=[{"endpoint": "local", "model": "sim-extractor"}],
        params={},
    )
    spec["endpoints"] = [{"name": "local", "base_url": base_url, **endpoint}]
    return spec


def test_a_second_spec_cannot_move_a_stored_endpoint_to_its_url(make_simulator):
    first, second = make_simulator(), make_simulator()
    create_experiment(local_spec(first.base_url, "one"))
    with pytest.raises(SpecInvalid) as refused:
        create_experiment(local_spec(second.base_url, "two"))
    (error,) = refused.value.errors
    assert error.path == "endpoints[0].base_url"
    assert f'with base_url "{first.base_url}", not "{second.base_url}"' in str(error)
    assert "another name" in error.message and "admin or the API" in error.message
    assert Endpoint.objects.get(name="local").base_url == first.base_url


def test_rerunning_the_older_experiment_still_calls_its_own_server(make_simulator):
    first, second = make_simulator(), make_simulator()
    run(local_spec(first.base_url, "one"))
    # The second experiment names its server differently, as the error says.
    other = local_spec(second.base_url, "two")
    other["endpoints"][0]["name"] = "local-2"
    other["models"][0]["endpoint"] = "local-2"
    run(other)
    first.reset(), second.reset()
    assert run(local_spec(first.base_url, "one"), no_cache=True).status == "completed"
    assert first.stats()["requests"] == 2 and second.stats()["requests"] == 0


def test_a_sweep_keeps_calling_what_it_was_started_with(make_simulator):
    """The stored endpoint is moved after the sweep was created (an edit in
    the admin): the sweep still calls the server its spec named."""
    old, new = make_simulator(), make_simulator()
    sweep = start(local_spec(old.base_url, "one"))
    Endpoint.objects.filter(name="local").update(base_url=new.base_url)
    assert run_sweep(sweep).status == "completed"
    assert old.stats()["requests"] == 2 and new.stats()["requests"] == 0
    assert sweep.endpoints["local"]["base_url"] == old.base_url


def test_limits_and_prices_may_differ_for_one_experiment_only(simulator):
    create_experiment(local_spec(simulator.base_url, "one", max_concurrency=2))
    prices = {"sim-extractor": {"input_per_mtok": 5.0, "output_per_mtok": 5.0}}
    experiment, _ = create_experiment(
        local_spec(simulator.base_url, "two", max_concurrency=3, prices=prices)
    )
    stored = Endpoint.objects.get(name="local")
    assert (stored.max_concurrency, stored.prices) == (2, {})  # unchanged
    sweep = run_sweep(create_sweep(experiment))
    assert sweep.endpoints["local"]["max_concurrency"] == 3
    assert sweep.cost > 0  # the spec's prices


def test_settings_a_spec_leaves_out_are_the_stored_ones(simulator):
    create_experiment(local_spec(simulator.base_url, "one", max_concurrency=2))
    sweep = start(local_spec(simulator.base_url, "two"))
    assert sweep.endpoints["local"]["max_concurrency"] == 2


def test_the_snapshot_holds_a_reference_to_the_key_never_the_key(make_simulator):
    sim = make_simulator(api_key=SECRET)
    sweep = start(local_spec(sim.base_url, "one"))
    stored = Endpoint.objects.get(name="local")
    stored.api_key = SECRET
    stored.save()
    assert SECRET not in json.dumps(sweep.endpoints)
    assert sweep.endpoints["local"]["endpoint_id"] == stored.pk
    assert run_sweep(sweep).status == "completed"
    assert sim.stats()["completions"] == 2


def test_a_stored_key_is_not_sent_to_a_url_it_was_not_stored_for(make_simulator):
    """The row was moved to another server (with that server's key) after
    the sweep was created: the sweep fails, saying why, and sends nothing."""
    old, new = make_simulator(), make_simulator(api_key=SECRET)
    sweep = start(local_spec(old.base_url, "one"))
    stored = Endpoint.objects.get(name="local")
    stored.base_url, stored.api_key = new.base_url, SECRET
    stored.save()
    sweep = run_sweep(sweep)
    assert sweep.status == "failed"
    assert "stored API key is for" in sweep.error_message
    assert SECRET not in sweep.error_message
    assert old.stats()["requests"] == 0 == new.stats()["requests"]
    assert not Run.objects.filter(sweep=sweep, status="done").exists()
