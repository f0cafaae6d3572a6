"""A sweep's leaderboard as a CSV file and one config as a spec that runs it
alone, against the simulator: the file parses and says what the JSON says;
the spec validates, names no secret and, run again, gives that one config
the score it had in the sweep. Who may call them: test_api_permissions.py."""

from __future__ import annotations

import csv
import io
import json

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from experiments.models import Endpoint, Sweep
from experiments.services import validate_experiment_spec
from experiments.tests.engine_helpers import extraction_spec, run

# The engine writes from its own thread and connection: committed rows.
pytestmark = pytest.mark.django_db(transaction=True)
STORED_KEY = "sk-stored-secret-never-exported-1234"


@pytest.fixture
def api(carol, project) -> APIClient:
    """A viewer: exports are reads."""
    client = APIClient()
    client.force_login(carol)
    return client


@pytest.fixture
def sweep(simulator, project) -> Sweep:
    """4 configs (2 models x 2 temperatures) x 6 items x 2 samples, on an
    endpoint whose key is stored (encrypted), and a variable named for it."""
    Endpoint.objects.create(
        project=project,
        name="sim",
        base_url=simulator.base_url,
        api_key=STORED_KEY,
        api_key_env="PROMPTLOOPER_KEY_SIM",
    )
    sweep = run(extraction_spec(simulator.base_url, samples=2))
    assert sweep.status == Sweep.Status.COMPLETED and sweep.errors == 0
    return sweep


def pipeline_spec(base_url: str) -> dict:
    """extract (2 prompts; two scorers of its own, one weighted) then
    normalise (2 models): 4 configs."""
    spec = extraction_spec(base_url, n_items=3, name="pipe")
    for key in ("prompts", "models", "params"):
        del spec[key]
    spec["stages"] = [
        {
            "name": "extract",
            "prompts": [
                {"name": "terse", "template": "List the people: {{ passage }}"},
                {"name": "careful", "template": "Every person: {{ passage }}"},
            ],
            "models": [{"endpoint": "sim", "model": "sim-echo"}],
            "params": {"temperature": 0.0, "stop": [["END"]]},
            "scorers": [
                {"type": "contains", "value": "Ada", "weight": 0.5},
                {"type": "json_valid"},  # stored with weight 0
            ],
        },
        {
            "name": "normalise",
            "prompts": [
                {
                    "name": "to-json",
                    "messages": [
                        {"role": "system", "content": "Return JSON only."},
                        {"role": "user", "content": "{{ stages.extract.output }}"},
                    ],
                }
            ],
            "models": [
                {"endpoint": "sim", "model": "sim-normaliser"},
                {"endpoint": "sim", "model": "sim-normaliser-lite"},
            ],
        },
    ]
    return spec


def exported(api: APIClient, sweep: Sweep, **query) -> tuple[dict, str]:
    response = api.get(f"/api/sweeps/{sweep.pk}/config-spec/", query)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/yaml")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    text = response.content.decode()
    return yaml.safe_load(text), text


def rerun(document: dict) -> dict:
    """The exported spec's sweep: its single leaderboard row."""
    result = validate_experiment_spec(document)
    assert result.ok, [e.as_dict() for e in result.errors]
    assert result.configs == 1
    sweep = run(document)
    assert sweep.status == Sweep.Status.COMPLETED and sweep.errors == 0
    rows = sweep.runs.leaderboard()
    assert len(rows) == 1
    return rows[0]


def test_the_best_config_runs_alone_with_the_score_it_had(api, sweep):
    best = sweep.runs.leaderboard()[0]
    document, text = exported(api, sweep)
    assert STORED_KEY not in text and "api_key:" not in text
    # The endpoint by name with its settings; the variable's name is no secret.
    (endpoint,) = document["endpoints"]
    assert endpoint["name"] == "sim"
    assert endpoint["api_key_env"] == "PROMPTLOOPER_KEY_SIM"
    assert document["name"] == f"engine-test-{best['config_hash'][:8]}"
    assert document["dataset"] == {"name": "engine-test"}  # the same items
    assert document["models"] == [{"endpoint": "sim", "model": "sim-extractor"}]
    assert document["samples"] == 2
    assert [s["name"] for s in document["scorers"]] == ["json_valid", "json_f1:people"]
    again = rerun(document)
    assert again["config_hash"] == best["config_hash"]
    assert (again["score"], again["n"]) == (best["score"], best["n"])
    # A new experiment: the sweep's own keeps its spec.
    assert sweep.experiment.spec["models"][1]["model"] == "sim-sloppy"


def test_any_config_exports_through_the_command_and_runs_with_runexperiment(
    sweep, tmp_path
):
    worst = sweep.runs.leaderboard()[-1]
    path = tmp_path / "one.yaml"
    call_command(
        "export_config", sweep.pk, "--config", worst["config_hash"], "-o", str(path),
        stderr=io.StringIO(),
    )  # fmt: skip
    assert STORED_KEY not in path.read_text()
    out = io.StringIO()
    call_command("runexperiment", str(path), "--json", stdout=out, stderr=io.StringIO())
    (row,) = json.loads(out.getvalue())["leaderboard"]
    assert row["config_hash"] == worst["config_hash"]
    assert (row["score"], row["n"], row["config"]) == (
        worst["score"],
        worst["n"],
        worst["config"],
    )


def test_a_pipeline_config_exports_one_choice_per_stage(api, simulator, project):
    sweep = run(pipeline_spec(simulator.base_url))
    assert sweep.status == Sweep.Status.COMPLETED and sweep.errors == 0
    board = sweep.runs.leaderboard()
    chosen = board[1]
    document, _ = exported(api, sweep, config=chosen["config_hash"])
    assert "prompts" not in document and len(document["stages"]) == 2
    extract, normalise = document["stages"]
    assert len(extract["prompts"]) == len(normalise["models"]) == 1
    # Written as the user writes them: the validator adds the stage's prefix
    # and an unweighted stage scorer's weight 0 again.
    weighted, unweighted = extract["scorers"]
    assert (weighted["name"], weighted["weight"]) == ("contains", 0.5)
    assert unweighted["name"] == "json_valid" and "weight" not in unweighted
    assert extract["params"] == {"temperature": 0.0, "stop": [["END"]]}
    again = rerun(document)
    assert again["config_hash"] == chosen["config_hash"]
    assert again["stages"] == chosen["stages"]
    assert chosen["score"] is not None and "extract.json_valid" in chosen["scores"]
    assert (again["score"], again["scores"]) == (chosen["score"], chosen["scores"])


@pytest.mark.parametrize("config", ["0" * 64, "x" * 65, "abc"])
def test_a_config_the_sweep_does_not_have_is_a_400_naming_config(api, sweep, config):
    response = api.get(f"/api/sweeps/{sweep.pk}/config-spec/", {"config": config})
    assert response.status_code == 400
    assert [e["path"] for e in response.json()["errors"]] == ["config"]


def test_the_command_refuses_an_unknown_sweep_or_config(sweep):
    with pytest.raises(CommandError, match="no sweep 999999"):
        call_command("export_config", 999999)
    with pytest.raises(CommandError, match='config: unknown config "abc"'):
        call_command("export_config", sweep.pk, "--config", "abc")


def test_the_leaderboard_csv_says_what_the_json_says(api, sweep):
    url = f"/api/sweeps/{sweep.pk}/leaderboard/"
    rows = api.get(url).json()
    response = api.get(url, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert (
        f'filename="sweep-{sweep.pk}-leaderboard.csv"'
        in response["Content-Disposition"]
    )
    lines = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(lines) == len(rows) == 4
    for line, row in zip(lines, rows, strict=True):
        assert line["config_hash"] == row["config_hash"]
        assert int(line["rank"]) == row["rank"]
        assert line["model"] == row["config"]["model"]
        assert json.loads(line["params"]) == row["config"]["params"]
        assert line["stages"] == ""  # single-stage
        assert float(line["score"]) == row["score"]
        ci = [float(line["ci95_low"]), float(line["ci95_high"])]
        assert ci == row["ci95"]
        for name in ("n", "runs", "errors", "prompt_tokens", "paired_items"):
            assert int(line[name]) == row[name], name
        for name in ("error_rate", "cache_hit_rate", "cost_total", "latency_ms_p50",
                     "latency_ms_p95"):  # fmt: skip
            assert float(line[name]) == row[name], name
        assert line["tied_with_best"] == json.dumps(row["tied_with_best"])
        assert line["on_front_latency"] == json.dumps(row["on_front"]["latency"])
        front = row["on_front"]["cost"]  # None without a price
        assert line["on_front_cost"] == ("" if front is None else json.dumps(front))
        assert line["p_value"] == (
            "" if row["p_value"] is None else str(row["p_value"])
        )
        assert {k: float(line[f"score:{k}"]) for k in row["scores"]} == row["scores"]
    assert list(lines[0])[-2:] == ["score:json_valid", "score:json_f1:people"]


def test_the_csv_takes_the_filters_and_refuses_another_format(api, sweep):
    url = f"/api/sweeps/{sweep.pk}/leaderboard/"
    by_valid = api.get(url, {"scorer": "json_valid"}).json()
    text = api.get(url, {"scorer": "json_valid", "format": "csv"}).content.decode()
    lines = list(csv.DictReader(io.StringIO(text)))
    assert [float(line["score"]) for line in lines] == [r["score"] for r in by_valid]
    response = api.get(url, {"format": "xml"})
    assert response.status_code == 400
    assert [e["path"] for e in response.json()["errors"]] == ["format"]
