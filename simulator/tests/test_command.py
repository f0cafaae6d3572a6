"""``manage.py simulate_llm`` serves the simulator in the foreground."""

from __future__ import annotations

import re
import select
import subprocess
import sys
import time

import httpx
import pytest

from simulator.tests.helpers import HTTP, ROOT

# --- Management command ------------------------------------------------------------


@pytest.mark.slow
def test_simulate_llm_command_serves_the_api():
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "simulate_llm",
            "--port",
            "0",
            "--latency-ms",
            "0",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 30)
        assert ready, "no banner within 30 s"
        banner = process.stdout.readline()
        assert "not a model" in banner
        base_url = re.search(r"(http://\S+/v1)", banner).group(1)

        deadline = time.monotonic() + 30
        while True:
            try:
                response = HTTP.get(f"{base_url}/models", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server never answered"
                time.sleep(0.1)
        assert response.status_code == 200
        assert "sim-extractor" in {m["id"] for m in response.json()["data"]}
    finally:
        process.terminate()
        process.wait(timeout=10)
