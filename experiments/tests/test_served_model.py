"""An unknown model name does not go unnoticed: each run records the model the
server says answered, and ``--check-endpoints`` / ``?check_endpoints=true``
warn about names an endpoint does not list."""

from __future__ import annotations

import csv
import io
import json

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from experiments.models import Endpoint, Run
from experiments.tests.engine_helpers import extraction_spec, run

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "sk-sim-secret-456"


def misspelt(base_url: str) -> dict:
    return extraction_spec(
        base_url,
        n_items=2,
        models=[{"endpoint": "sim", "model": "sim-extractr"}],
        params={},
    )


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_each_run_records_the_model_that_answered(make_simulator):
    sim = make_simulator(served_model="sim-echo")  # answers any name
    sweep = run(misspelt(sim.base_url))
    assert sweep.status == "completed"
    runs = Run.objects.filter(sweep=sweep)
    assert set(runs.values_list("served_model", flat=True)) == {"sim-echo"}
    assert {r.config["model"] for r in runs} == {"sim-extractr"}


def test_a_cache_hit_records_the_model_of_the_cached_answer(make_simulator):
    sim = make_simulator(served_model="sim-echo")
    run(misspelt(sim.base_url))
    again = run(misspelt(sim.base_url))
    assert again.cache_hits == 2
    assert set(again.runs.values_list("served_model", flat=True)) == {"sim-echo"}


def test_the_api_and_exports_show_the_served_model(make_simulator, project, alice):
    sim = make_simulator(served_model="sim-echo")
    sweep = run(misspelt(sim.base_url))
    client = api(alice)
    page = client.get(f"/api/sweeps/{sweep.pk}/runs/").json()
    assert {r["served_model"] for r in page["results"]} == {"sim-echo"}
    one = client.get(f"/api/runs/{page['results'][0]['id']}/").json()
    assert one["served_model"] == "sim-echo"
    lines = client.get(f"/api/sweeps/{sweep.pk}/export/?format=jsonl")
    rows = [json.loads(line) for line in b"".join(lines.streaming_content).splitlines()]
    assert {(r["model"], r["served_model"]) for r in rows} == {
        ("sim-extractr", "sim-echo")
    }
    table = client.get(f"/api/sweeps/{sweep.pk}/export/?format=csv")
    reader = csv.DictReader(io.StringIO(b"".join(table.streaming_content).decode()))
    assert {row["served_model"] for row in reader} == {"sim-echo"}


def validate_file(tmp_path, spec: dict, *flags: str) -> tuple[str, str]:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    out, err = io.StringIO(), io.StringIO()
    call_command("validate_experiment", str(path), *flags, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_check_endpoints_warns_about_a_model_the_endpoint_does_not_list(
    tmp_path, make_simulator
):
    sim = make_simulator(listed_models=["sim-extractor"])
    spec = extraction_spec(sim.base_url, n_items=1)  # sim-extractor, sim-sloppy
    out, err = validate_file(tmp_path, spec, "--check-endpoints")  # exit 0
    assert out.startswith("ok: ")
    assert err.splitlines() == [
        'warning: models[1].model: endpoint "sim" does not list model "sim-sloppy" '
        "(it lists: sim-extractor); a server that answers any name would run it "
        "with another model"
    ]
    assert validate_file(tmp_path, spec)[1] == ""  # only when asked


def test_check_endpoints_warns_when_an_endpoint_cannot_be_listed(tmp_path):
    spec = extraction_spec("http://127.0.0.1:9/v1", n_items=1)
    out, err = validate_file(tmp_path, spec, "--check-endpoints")
    assert out.startswith("ok: ")
    assert (
        'warning: models[0].endpoint: could not list the models of endpoint "sim": '
        "could not connect" in err
    )
    assert "models[1]" not in err  # one warning per endpoint


def stored_sim(project, base_url: str) -> Endpoint:
    endpoint = Endpoint(project=project, name="sim", base_url=base_url)
    endpoint.api_key = SECRET
    endpoint.save()
    return endpoint


def test_api_validate_returns_warnings_with_check_endpoints(
    make_simulator, project, bob
):
    sim = make_simulator(listed_models=["sim-extractor"], api_key=SECRET)
    stored_sim(project, sim.base_url)  # the stored key is what lets it list
    spec = extraction_spec(sim.base_url, n_items=1)
    spec["endpoints"][0].pop("prices")
    client = api(bob)
    plain = client.post("/api/experiments/validate/", spec, format="json").json()
    assert plain["valid"] and plain["warnings"] == []
    checked = client.post(
        "/api/experiments/validate/?check_endpoints=true", spec, format="json"
    ).json()
    assert checked["valid"]
    assert [w["path"] for w in checked["warnings"]] == ["models[1].model"]
    assert 'does not list model "sim-sloppy"' in checked["warnings"][0]["message"]
    assert SECRET not in json.dumps(checked)


def test_api_check_endpoints_is_for_editors(make_simulator, project, carol):
    sim = make_simulator()
    stored_sim(project, sim.base_url)
    spec = extraction_spec(sim.base_url, n_items=1)
    spec["endpoints"][0].pop("prices")
    client = api(carol)  # a viewer may validate, not make the server call out
    assert client.post("/api/experiments/validate/", spec, format="json").json()[
        "valid"
    ]
    refused = client.post(
        "/api/experiments/validate/?check_endpoints=1", spec, format="json"
    )
    assert refused.status_code == 403


def test_runexperiment_notes_a_config_answered_by_another_model(
    tmp_path, make_simulator
):
    sim = make_simulator(served_model="sim-echo")
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(misspelt(sim.base_url)))
    out, err = io.StringIO(), io.StringIO()
    call_command("runexperiment", str(path), stdout=out, stderr=err)
    assert 'note: sim:sim-extractr was answered by model "sim-echo"' in err.getvalue()
