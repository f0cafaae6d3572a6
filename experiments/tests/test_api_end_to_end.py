"""The whole path over HTTP alone, as a script would drive it: a token, an
endpoint at the simulator, an uploaded dataset, a validated experiment, a
sweep run by a real worker, the leaderboard and the export."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import httpx
import pytest

from experiments.tests.engine_helpers import kill_worker, start_worker

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
PASSAGES = Path(__file__).resolve().parents[2] / "examples/data/passages.jsonl"


def test_a_sweep_over_http_alone(live_server, alice, simulator, test_db_env):
    api = httpx.Client(base_url=f"{live_server.url}/api", timeout=30)
    tokens = api.post(
        "/auth/token/", json={"username": "alice", "password": "alice-pass-123"}
    ).json()
    api.headers["Authorization"] = f"Bearer {tokens['access']}"

    project = api.post("/projects/", json={"name": "e2e"}).json()["id"]
    endpoint = api.post(
        "/endpoints/",
        json={"project": project, "name": "sim", "base_url": simulator.base_url},
    )
    assert endpoint.status_code == 201, endpoint.text
    assert api.post(f"/endpoints/{endpoint.json()['id']}/test/").json()["ok"]
    dataset = api.post("/datasets/", json={"project": project, "name": "passages"})
    lines = PASSAGES.read_text().splitlines()[:6]
    upload = api.post(
        f"/datasets/{dataset.json()['id']}/import/",
        files={"file": ("passages.jsonl", "\n".join(lines).encode())},
    )
    assert upload.json()["added"] == 6, upload.text

    spec = {
        "name": "over-http",
        "project": "e2e",
        "dataset": {"name": "passages"},
        "prompts": [{"name": "plain", "template": "People in: {{ passage }}"}],
        "models": [
            {"endpoint": "sim", "model": "sim-extractor"},
            {"endpoint": "sim", "model": "sim-echo"},
        ],
        "params": {"temperature": [0.0, 0.5]},
        "scorers": [{"type": "json_valid"}, {"type": "json_f1", "field": "people"}],
    }
    checked = api.post("/experiments/validate/", json=spec).json()
    assert checked["valid"] and checked["runs"] == 24, checked
    experiment = api.post("/experiments/", json=spec).json()["id"]

    worker = start_worker(test_db_env)
    try:
        started = api.post(f"/experiments/{experiment}/sweeps/", json={})
        assert started.status_code == 202
        sweep_url = f"/sweeps/{started.json()['id']}/"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            sweep = api.get(sweep_url).json()
            if sweep["status"] in ("completed", "failed", "cancelled"):
                break
            time.sleep(0.3)
    finally:
        kill_worker(worker)
    assert (sweep["status"], sweep["done"], sweep["errors"]) == ("completed", 24, 0)
    assert simulator.stats()["requests"] == 24  # chat completions, one per run

    board = api.get(f"{sweep_url}leaderboard/").json()
    assert len(board) == 4 and board[0]["config"]["model"] == "sim-extractor"
    exported = api.get(f"{sweep_url}export/", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 24 and {r["status"] for r in rows} == {"done"}
