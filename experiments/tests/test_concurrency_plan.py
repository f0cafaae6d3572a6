"""How many calls a sweep keeps in flight to each endpoint, and which setting
caps it (the sweep's concurrency or the endpoint's max_concurrency), as
``validate_experiment``, the API's validate response and the sweep's stored
plan report it."""

from __future__ import annotations

import io

import pytest
import yaml
from django.core.management import call_command

from experiments.models import Endpoint
from experiments.services import create_experiment
from experiments.services.sweeps import create_sweep
from experiments.spec import SpecContext, validate_spec
from experiments.tests.api_helpers import build_world, client_as
from experiments.tests.factories import spec_doc

ENDPOINT, SWEEP = "endpoint max_concurrency", "sweep concurrency"


def caps_of(doc: dict, context: SpecContext | None = None) -> dict[str, tuple]:
    result = validate_spec(doc, context)
    assert result.ok, result.errors
    return {
        c["endpoint"]: (c["effective"], c["limited_by"]) for c in result.concurrency
    }


def test_an_endpoint_left_at_its_default_caps_a_higher_sweep_concurrency():
    # The case: concurrency 32 against the default max_concurrency 8.
    assert caps_of(spec_doc(concurrency=32)) == {"local": (8, ENDPOINT)}


def test_the_sweep_concurrency_caps_when_the_endpoint_allows_more():
    doc = spec_doc(concurrency=4)
    assert caps_of(doc) == {"local": (4, SWEEP)}
    doc["endpoints"][0]["max_concurrency"] = 64
    assert caps_of(spec_doc(concurrency=32, endpoints=doc["endpoints"])) == {
        "local": (32, SWEEP)
    }


def test_the_default_sweep_concurrency_16_against_the_default_endpoint_8():
    result = validate_spec(spec_doc())
    assert result.concurrency == [
        {
            "endpoint": "local",
            "effective": 8,
            "limited_by": ENDPOINT,
            "sweep_concurrency": 16,
            "max_concurrency": 8,
        }
    ]


def test_a_stored_endpoint_and_a_judges_endpoint_are_reported_too():
    judge = {"type": "llm_judge", "endpoint": "stored", "model": "j", "rubric": "0-10"}
    doc = spec_doc(concurrency=12, scorers=[judge])
    stored = SpecContext(endpoints={"stored": {"max_concurrency": 3, "prices": {}}})
    assert caps_of(doc, stored) == {"local": (8, ENDPOINT), "stored": (3, ENDPOINT)}


def test_an_invalid_spec_reports_no_concurrency():
    assert validate_spec(spec_doc(models=[])).concurrency == []


@pytest.mark.django_db
def test_validate_experiment_prints_each_endpoints_cap(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec_doc(project="cli", concurrency=32)))
    out = io.StringIO()
    call_command("validate_experiment", str(path), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("ok: 8 configs")
    assert lines[1:] == [
        'concurrency: "local" gets at most 8 calls in flight, limited by the '
        "endpoint's max_concurrency 8 (sweep concurrency 32)"
    ]


@pytest.mark.django_db
def test_the_api_validate_response_reports_the_caps(
    alice, bob, carol, charlie, project
):
    world = build_world(alice, bob, carol, charlie, project)
    spec = spec_doc(concurrency=32)
    response = client_as(world, "editor").post("/api/experiments/validate/", spec)
    assert response.status_code == 200 and response.json()["valid"]
    assert response.json()["concurrency"] == [
        {
            "endpoint": "local",
            "effective": 8,
            "limited_by": ENDPOINT,
            "sweep_concurrency": 32,
            "max_concurrency": 8,
        }
    ]
    invalid = client_as(world, "editor").post(
        "/api/experiments/validate/", spec_doc(models=[])
    )
    assert invalid.json()["concurrency"] == []


@pytest.mark.django_db
def test_the_sweeps_stored_plan_records_each_endpoints_cap(project):
    experiment, _ = create_experiment(spec_doc(concurrency=32))
    plan = create_sweep(experiment).endpoints["local"]
    assert (plan["effective_concurrency"], plan["concurrency_limited_by"]) == (
        8,
        ENDPOINT,
    )
    # A sweep started with its own concurrency is planned with that one.
    lowered = create_sweep(experiment, concurrency=2).endpoints["local"]
    assert (lowered["effective_concurrency"], lowered["concurrency_limited_by"]) == (
        2,
        SWEEP,
    )


@pytest.mark.django_db
def test_the_plan_uses_the_stored_endpoints_limit(project):
    Endpoint.objects.create(
        project=project,
        name="shared",
        base_url="http://127.0.0.1:9/v1",
        max_concurrency=5,
    )
    doc = spec_doc(concurrency=10, endpoints=[])
    doc["models"] = [{"endpoint": "shared", "model": "m1"}]
    experiment, result = create_experiment(doc)
    assert [(c["endpoint"], c["effective"]) for c in result.concurrency] == [
        ("shared", 5)
    ]
    plan = create_sweep(experiment).endpoints["shared"]
    assert plan["effective_concurrency"] == 5
    assert plan["concurrency_limited_by"] == ENDPOINT
