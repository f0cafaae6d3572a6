"""runexperiment, startsweep, steer_sweep and purge_cache as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from experiments.models import CachedResponse, Sweep
from experiments.tests.engine_helpers import extraction_spec, kill_worker, start_worker

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SUMMARY_KEYS = {
    "experiment",
    "sweep_id",
    "status",
    "planned",
    "done",
    "errors",
    "cache_hits",
    "calls",
    "duration_s",
    "tokens",
    "cost",
    "leaderboard",
}
ROW_KEYS = {
    "rank",
    "config_hash",
    "config",
    "score",
    "n",
    "ci95",
    "latency_ms_p50",
    "cost",
    "errors",
    # The analysis's (issue 14): the API's leaderboard rows have them too.
    "scores",
    "runs",
    "items",
    "error_rate",
    "cache_hit_rate",
    "prompt_tokens",
    "completion_tokens",
    "cost_per_run",
    "cost_total",
    "latency_ms_p95",
    "tied_with_best",
    "p_value",
    "delta",
    "delta_ci95",
    "paired_items",
    "sample_variance",
    "on_front",
    # As the API's rows: empty for a single-stage config.
    "stages",
    "stage_usage",
}


@pytest.fixture
def spec_file(tmp_path, simulator):
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(extraction_spec(simulator.base_url)))
    return path


def test_runexperiment_json_is_one_object_and_rerun_is_free(
    manage, spec_file, simulator
):
    done = manage("runexperiment", str(spec_file), "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)  # stdout is exactly one JSON object
    assert set(summary) == SUMMARY_KEYS
    assert (summary["status"], summary["planned"], summary["done"]) == (
        "completed",
        24,
        24,
    )
    assert summary["calls"] == 24 and summary["cache_hits"] == 0
    row = summary["leaderboard"][0]
    assert set(row) == ROW_KEYS and row["rank"] == 1
    assert set(row["config"]) == {"prompt", "endpoint", "model", "params"}
    assert "24/24" in done.stderr  # the progress bar
    again = json.loads(manage("runexperiment", str(spec_file), "--json").stdout)
    assert (again["calls"], again["cache_hits"]) == (0, 24)
    assert again["sweep_id"] != summary["sweep_id"]
    assert [r["score"] for r in again["leaderboard"]] == [
        r["score"] for r in summary["leaderboard"]
    ]
    assert simulator.stats()["requests"] == 24


def test_runexperiment_table_and_no_cache(manage, spec_file):
    manage("runexperiment", str(spec_file))
    done = manage("runexperiment", str(spec_file), "--no-cache", "--concurrency", "2")
    assert done.returncode == 0
    assert "sim-extractor" in done.stdout and "24 calls" in done.stdout


def test_invalid_spec_exits_1_with_every_error(manage, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndataset: {items: []}\nprompts: []\nmodels: []\n")
    done = manage("runexperiment", str(bad), "--json")
    assert done.returncode == 1
    assert "prompts: needs at least 1 item" in done.stderr and done.stdout == ""


def test_unknown_adapter_kind_is_a_spec_error(manage, tmp_path):
    spec = extraction_spec("http://127.0.0.1:9/v1")
    spec["endpoints"][0]["kind"] = "carrier-pigeon"
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    done = manage("runexperiment", str(path), "--json")
    assert done.returncode == 1 and done.stdout == ""
    assert 'endpoints[0].kind: unknown adapter kind "carrier-pigeon"' in done.stderr


def test_cancelled_sweep_exits_2(manage, tmp_path, make_simulator, test_db_env):
    slow = make_simulator(latency_ms=400)
    path = tmp_path / "spec.yaml"
    spec = {**extraction_spec(slow.base_url), "concurrency": 1}
    path.write_text(yaml.safe_dump(spec))
    running = subprocess.Popen(
        [sys.executable, str(REPO / "manage.py"), "runexperiment", str(path), "--json"],
        cwd=REPO,
        env=test_db_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not slow.stats()["requests"] and time.monotonic() < deadline:
            time.sleep(0.05)
        sweep_id = str(Sweep.objects.latest("pk").pk)
        assert manage("steer_sweep", sweep_id, "cancel").returncode == 0
        stdout, stderr = running.communicate(timeout=60)
    finally:
        running.kill()
    assert running.returncode == 2, stderr
    summary = json.loads(stdout)
    assert summary["status"] == "cancelled" and summary["done"] < summary["planned"]


def test_startsweep_wait_runs_on_the_worker(manage, spec_file, test_db_env):
    worker = start_worker(test_db_env)
    try:
        done = manage("startsweep", str(spec_file), "--wait", "--json")
    finally:
        kill_worker(worker)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert set(summary) == SUMMARY_KEYS and summary["status"] == "completed"
    queued = manage("startsweep", str(spec_file))
    assert queued.returncode == 0 and "queued" in queued.stdout
    sweep_id = queued.stdout.split()[1]
    steered = manage("steer_sweep", sweep_id, "pause")
    assert steered.returncode == 0 and "paused" in steered.stdout
    refused = manage("steer_sweep", sweep_id, "resume", "--bogus")
    assert refused.returncode != 0


def test_purge_cache_needs_a_filter_and_deletes_what_it_names(manage, spec_file):
    manage("runexperiment", str(spec_file))
    assert CachedResponse.objects.count() == 24
    nothing = manage("purge_cache")
    assert nothing.returncode == 1 and "name what to purge" in nothing.stderr
    dry = manage("purge_cache", "--model", "sim-sloppy", "--dry-run")
    assert "would delete 12" in dry.stdout and CachedResponse.objects.count() == 24
    manage("purge_cache", "--model", "sim-sloppy")
    assert CachedResponse.objects.count() == 12
    done = manage("purge_cache", "--experiment", "engine-test")
    assert "deleted 12" in done.stdout and CachedResponse.objects.count() == 0
