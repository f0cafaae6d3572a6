"""The README's curl example, run as written against a live server, a real
worker and the simulator (only the two URLs at its top are swapped)."""

from __future__ import annotations

import csv
import os
import re
import subprocess
from pathlib import Path

import pytest

from experiments.models import Sweep
from experiments.tests.engine_helpers import kill_worker, start_worker

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
REPO = Path(__file__).resolve().parents[2]


def readme_example() -> str:
    text = (REPO / "README.md").read_text()
    match = re.search(r"<!-- api-example -->\n```sh\n(.*?)```", text, re.S)
    assert match, "the README lost its API example"
    return match.group(1)


def test_readme_curl_example_works(
    live_server, alice, simulator, test_db_env, tmp_path
):
    script = readme_example()
    script = re.sub(r"^PL=.*$", f"PL={live_server.url}", script, flags=re.M)
    script = re.sub(r"^SIM=.*$", f"SIM={simulator.base_url}", script, flags=re.M)
    (tmp_path / "examples").symlink_to(REPO / "examples")
    env = {**os.environ, "PL_USER": "alice", "PL_PASSWORD": "alice-pass-123"}
    worker = start_worker(test_db_env)
    try:
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
    finally:
        kill_worker(worker)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    sweep = Sweep.objects.get(experiment__name="curl-sweep")
    assert (sweep.status, sweep.done) == ("completed", 40 * 4)
    assert '"rank":1' in done.stdout.replace(" ", "")
    rows = list(csv.DictReader((tmp_path / "runs.csv").open()))
    assert len(rows) == 160
