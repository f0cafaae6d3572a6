"""Pipelines where users see them: the commands' table and --json (each
stage's choice, calls made vs calls without shared stages), the API (a run's
trace, the leaderboard's stage choices, what validate reports) and a run's
admin page, stage by stage. Sweeps run against the simulator."""

from __future__ import annotations

import csv
import io
import json

import pytest
import yaml
from rest_framework.test import APIClient

from experiments.models import Run
from experiments.tests.engine_helpers import (
    extraction_spec,
    kill_worker,
    run,
    start_worker,
)

pytestmark = pytest.mark.django_db(transaction=True)
N = 3  # items
STAGE_KEYS = {"stage", "prompt", "endpoint", "model", "params"}
PRICE = {"input_per_mtok": 1.0, "output_per_mtok": 2.0}


def two_stage_spec(base_url: str, **overrides) -> dict:
    """extract: 2 prompts on sim-echo at t=0 (so the two answers differ, and
    so do the requests of the second stage); normalise: 1 prompt on 2
    normalisers. 4 configs x N items; 2N extract + 4N normalise calls."""
    spec = extraction_spec(base_url, n_items=N)
    for key in ("prompts", "models", "params", "scorers"):
        del spec[key]
    spec["endpoints"][0]["prices"] = {
        model: PRICE for model in ("sim-echo", "sim-normaliser", "sim-normaliser-lite")
    }
    spec["stages"] = [
        {
            "name": "extract",
            "prompts": [
                {"name": "terse", "template": "List the people: {{ passage }}"},
                {"name": "careful", "template": "Every person: {{ passage }}"},
            ],
            "models": [{"endpoint": "sim", "model": "sim-echo"}],
            "params": {"temperature": [0.0]},
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
    spec["scorers"] = [{"type": "json_valid"}]
    spec.update(overrides)
    return spec


def failing_second_stage_spec(base_url: str) -> dict:
    """The second stage reads the first's answer as JSON, and sim-echo's is not."""
    spec = two_stage_spec(base_url)
    spec["stages"][0]["prompts"] = spec["stages"][0]["prompts"][:1]
    spec["stages"][1]["prompts"] = [
        {"name": "people", "template": "{{ stages.extract.json.people }}"}
    ]
    return spec


@pytest.fixture
def spec_file(tmp_path, simulator):
    path = tmp_path / "pipeline.yaml"
    path.write_text(yaml.safe_dump(two_stage_spec(simulator.base_url)))
    return path


@pytest.fixture
def api(alice, project) -> APIClient:
    client = APIClient()
    client.force_authenticate(alice)
    return client


# --- the commands ---------------------------------------------------------


@pytest.mark.slow
def test_runexperiment_table_shows_every_stage_and_the_calls_sharing_saved(
    manage, spec_file, simulator
):
    done = manage("runexperiment", str(spec_file))
    assert done.returncode == 0, done.stderr
    assert simulator.stats()["requests"] == 2 * N + 4 * N
    lines = done.stdout.splitlines()
    assert any(
        line.endswith(
            "extract: terse/sim/sim-echo t=0 | normalise: to-json/sim/sim-normaliser"
        )
        for line in lines
    ), done.stdout
    assert any(
        line.endswith(
            "extract: careful/sim/sim-echo t=0 | normalise: to-json/sim/"
            "sim-normaliser-lite"
        )
        for line in lines
    ), done.stdout
    assert f"{6 * N} calls ({8 * N} without shared stages)" in lines[-1]


@pytest.mark.slow
def test_runexperiment_json_has_stage_choices_and_naive_calls(
    manage, spec_file, simulator
):
    done = manage("runexperiment", str(spec_file), "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["planned"], summary["done"], summary["errors"]) == (
        4 * N,
        4 * N,
        0,
    )
    assert summary["calls"] == 6 * N == simulator.stats()["requests"]
    assert summary["naive_calls"] == 8 * N
    rows = summary["leaderboard"]
    assert len(rows) == 4
    for row in rows:
        assert [s["stage"] for s in row["stages"]] == ["extract", "normalise"]
        assert all(set(s) == STAGE_KEYS for s in row["stages"])
        last = row["stages"][-1]
        # ``config`` stays the stage that answered.
        assert row["config"] == {k: last[k] for k in row["config"]}
    assert {(r["stages"][0]["prompt"], r["stages"][1]["model"]) for r in rows} == {
        ("terse", "sim-normaliser"),
        ("terse", "sim-normaliser-lite"),
        ("careful", "sim-normaliser"),
        ("careful", "sim-normaliser-lite"),
    }
    assert rows[0]["stages"][0]["params"] == {"temperature": 0.0}
    # A rerun sends nothing; a naive run would still make every stage call.
    again = json.loads(manage("runexperiment", str(spec_file), "--json").stdout)
    assert (again["calls"], again["naive_calls"]) == (0, 8 * N)


@pytest.mark.slow
def test_startsweep_wait_json_reports_a_pipeline_as_runexperiment_does(
    manage, spec_file, test_db_env
):
    worker = start_worker(test_db_env)
    try:
        done = manage("startsweep", str(spec_file), "--wait", "--json")
    finally:
        kill_worker(worker)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["calls"], summary["naive_calls"]) == (6 * N, 8 * N)
    assert all(len(row["stages"]) == 2 for row in summary["leaderboard"])


def test_a_failed_run_counts_the_stage_calls_it_reached(simulator):
    from experiments.services.sweeps import sweep_summary

    sweep = run(failing_second_stage_spec(simulator.base_url))
    summary = sweep_summary(sweep)
    # Each run called extract, then failed before normalise's call.
    assert summary["errors"] == 2 * N
    assert summary["naive_calls"] == 2 * N
    assert summary["calls"] == N


def test_a_single_stage_summary_keeps_its_keys(simulator):
    from experiments.services.sweeps import sweep_summary

    summary = sweep_summary(run(extraction_spec(simulator.base_url, n_items=2)))
    assert "naive_calls" not in summary
    # Its rows are the API's: no stage choices, and no usage per stage.
    assert all(row["stages"] == [] for row in summary["leaderboard"])
    assert all(row["stage_usage"] == [] for row in summary["leaderboard"])


# --- the API --------------------------------------------------------------


def test_run_detail_lists_the_stage_trace(api, simulator):
    sweep = run(two_stage_spec(simulator.base_url))
    run_row = Run.objects.filter(sweep=sweep).order_by("id").first()
    body = api.get(f"/api/runs/{run_row.pk}/").json()
    trace = body["trace"]
    assert [t["stage"] for t in trace] == ["extract", "normalise"]
    first, last = trace
    assert first["messages"][-1]["content"].startswith("List the people")
    assert last["messages"][-1]["content"] == first["output"]
    assert last["output"] == body["output_text"]
    assert last["cache_key"] == body["cache_key"]
    for stage in trace:
        assert stage["prompt_tokens"] > 0 and stage["completion_tokens"] > 0
        assert stage["cost"] > 0 and stage["latency_ms"] is not None
        assert stage["cache_hit"] is False and stage["error"] == ""
    # The list of runs leaves traces out (a page would carry every answer).
    page = api.get(f"/api/sweeps/{sweep.pk}/runs/").json()
    assert page["results"] and all("trace" not in r for r in page["results"])


def test_run_exports_carry_each_stages_choice_and_trace(api, simulator):
    sweep = run(two_stage_spec(simulator.base_url))
    url = f"/api/sweeps/{sweep.pk}/export/"
    lines = api.get(url, {"format": "jsonl"}).streaming_content
    rows = [json.loads(line) for line in b"".join(lines).splitlines()]
    assert len(rows) == 4 * N
    for row in rows:
        stored = Run.objects.get(pk=row["run_id"])
        assert [s["stage"] for s in row["stages"]] == ["extract", "normalise"]
        assert set(row["stages"][0]) == STAGE_KEYS
        assert row["stages"][1]["model"] == stored.config["model"]
        extract, normalise = row["trace"]
        assert (extract["stage"], normalise["stage"]) == ("extract", "normalise")
        assert normalise["messages"][-1]["content"] == extract["output"]
        assert normalise["output"] == row["output_text"] == stored.output_text
        assert extract["cost"] > 0 and normalise["cache_key"] == stored.cache_key
    text = b"".join(api.get(url, {"format": "csv"}).streaming_content).decode()
    records = {int(r["run_id"]): r for r in csv.DictReader(io.StringIO(text))}
    for row in rows:  # the same, as JSON in a cell
        record = records[row["run_id"]]
        assert json.loads(record["stages"]) == row["stages"]
        assert json.loads(record["trace"]) == row["trace"]


def test_a_single_stage_runs_export_has_no_stages_or_trace(api, simulator):
    sweep = run(extraction_spec(simulator.base_url, n_items=1))
    url = f"/api/sweeps/{sweep.pk}/export/"
    lines = api.get(url, {"format": "jsonl"}).streaming_content
    rows = [json.loads(line) for line in b"".join(lines).splitlines()]
    assert rows and all(r["stages"] is None and r["trace"] is None for r in rows)
    text = b"".join(api.get(url, {"format": "csv"}).streaming_content).decode()
    records = list(csv.DictReader(io.StringIO(text)))
    assert records and all(r["stages"] == r["trace"] == "" for r in records)
    assert all(json.loads(r["params"]) == rows[0]["params"] for r in records[:1])


def test_a_stage_that_failed_before_its_call_reads_null(api, simulator):
    sweep = run(failing_second_stage_spec(simulator.base_url))
    failed = Run.objects.filter(sweep=sweep, status="failed").first()
    trace = api.get(f"/api/runs/{failed.pk}/").json()["trace"]
    assert trace[1]["stage"] == "normalise"
    assert trace[1]["error"].startswith("stages.extract.json: the output of stage")
    assert trace[1]["messages"] is None and trace[1]["output"] is None
    assert trace[1]["cost"] is None and trace[1]["cache_hit"] is None


def test_a_single_stage_run_has_no_trace(api, simulator):
    sweep = run(extraction_spec(simulator.base_url, n_items=1))
    run_row = Run.objects.filter(sweep=sweep).first()
    assert api.get(f"/api/runs/{run_row.pk}/").json()["trace"] is None
    rows = api.get(f"/api/sweeps/{sweep.pk}/leaderboard/").json()
    assert rows and all(row["stages"] == [] for row in rows)


def test_leaderboard_rows_carry_each_stage_choice(api, simulator):
    sweep = run(two_stage_spec(simulator.base_url))
    rows = api.get(f"/api/sweeps/{sweep.pk}/leaderboard/").json()
    assert len(rows) == 4
    for row in rows:
        assert [set(s) for s in row["stages"]] == [STAGE_KEYS, STAGE_KEYS]
        extract, normalise = row["stages"]
        assert extract == {
            "stage": "extract",
            "prompt": extract["prompt"],
            "endpoint": "sim",
            "model": "sim-echo",
            "params": {"temperature": 0.0},
        }
        assert normalise["prompt"] == row["config"]["prompt"] == "to-json"
        assert normalise["model"] == row["config"]["model"]


def test_validate_reports_the_stages_and_the_calls_a_pipeline_makes(api, simulator):
    spec = two_stage_spec(simulator.base_url)
    body = api.post("/api/experiments/validate/", spec, format="json").json()
    assert body["valid"], body["errors"]
    assert body["stages"] == [
        {
            "name": "extract",
            "prompts": ["terse", "careful"],
            "models": [{"endpoint": "sim", "model": "sim-echo"}],
            "params": {"temperature": 1},
            "choices": 2,
        },
        {
            "name": "normalise",
            "prompts": ["to-json"],
            "models": [
                {"endpoint": "sim", "model": "sim-normaliser"},
                {"endpoint": "sim", "model": "sim-normaliser-lite"},
            ],
            "params": {},
            "choices": 2,
        },
    ]
    assert (body["configs"], body["runs"]) == (4, 4 * N)
    assert (body["unique_calls"], body["naive_calls"]) == (6 * N, 8 * N)
    assert body["estimated_cost"] > 0 and body["unpriced_models"] == []
    # The estimate is what the sweep then sends.
    assert run(spec).calls == body["unique_calls"] == simulator.stats()["requests"]


def test_validate_of_a_single_stage_spec_reports_one_main_stage(api, simulator):
    spec = extraction_spec(simulator.base_url, n_items=2)
    body = api.post("/api/experiments/validate/", spec, format="json").json()
    assert [s["name"] for s in body["stages"]] == ["main"]
    assert body["stages"][0]["choices"] == body["configs"] == 4
    assert body["unique_calls"] == body["naive_calls"] == body["runs"] == 8


def test_validate_of_an_invalid_spec_reports_no_stages(api, simulator):
    spec = two_stage_spec(simulator.base_url)
    spec["stages"][1]["prompts"][0]["messages"][1]["content"] = "{{ stages.x.output }}"
    body = api.post("/api/experiments/validate/", spec, format="json").json()
    assert not body["valid"]
    assert (body["stages"], body["unique_calls"], body["naive_calls"]) == ([], 0, 0)


# --- the admin ------------------------------------------------------------


def test_admin_run_page_shows_the_trace_stage_by_stage(admin_client, simulator):
    sweep = run(two_stage_spec(simulator.base_url))
    run_row = Run.objects.filter(sweep=sweep).order_by("id").first()
    page = admin_client.get(f"/admin/experiments/run/{run_row.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Stage 1: extract" in html and "Stage 2: normalise" in html
    assert html.index("Stage 1: extract") < html.index("Stage 2: normalise")
    first, last = run_row.trace
    # Rendered messages, role by role, escaped.
    assert "Return JSON only." in html and "<strong>system</strong>" in html
    assert "List the people: Ada Lovelace 0" in html
    # The JSON answer pretty-printed (the stored one is compact or indented).
    pretty = json.dumps(json.loads(last["output"]), indent=2, ensure_ascii=False)
    assert pretty.replace('"', "&quot;") in html
    assert f"<th>Prompt tokens</th><td>{first['prompt_tokens']}</td>" in html
    assert f"<th>Latency</th><td>{last['latency_ms']:.0f} ms</td>" in html
    assert f"<th>Cost</th><td>${last['cost']:.6f}</td>" in html
    assert "<th>Cache hit</th><td>no</td>" in html
    assert f"<td>{first['cache_key']}</td>" in html
    # The config reads stage by stage in the list of runs too.
    listing = admin_client.get(f"/admin/experiments/run/?sweep__id__exact={sweep.pk}")
    assert "extract: terse/sim/sim-echo t=0 | normalise: to-json/sim/" in (
        listing.content.decode()
    )


def test_admin_run_page_shows_a_failed_stage_and_its_error(admin_client, simulator):
    sweep = run(failing_second_stage_spec(simulator.base_url))
    failed = Run.objects.filter(sweep=sweep, status="failed").first()
    html = admin_client.get(f"/admin/experiments/run/{failed.pk}/change/")
    html = html.content.decode()
    assert "Stage 2: normalise" in html
    assert "Error: stages.extract.json: the output of stage &quot;extract&quot;" in (
        html
    )
    assert "not rendered (the stage failed first)" in html


def test_admin_page_of_a_single_stage_run_has_no_stages(admin_client, simulator):
    sweep = run(extraction_spec(simulator.base_url, n_items=1))
    run_row = Run.objects.filter(sweep=sweep).first()
    html = admin_client.get(f"/admin/experiments/run/{run_row.pk}/change/")
    assert html.status_code == 200 and "Stage 1:" not in html.content.decode()
