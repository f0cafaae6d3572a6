"""Building and running small sweeps against a simulator in tests."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from experiments.models import Sweep
from experiments.services import create_experiment
from experiments.services.sweeps import create_sweep, run_sweep


def extraction_spec(base_url: str, *, n_items: int = 6, **overrides) -> dict:
    items = [
        {
            "input": {"passage": f"Ada Lovelace {i} met Charles Babbage in London."},
            "expected": {
                "people": [f"Ada Lovelace {i}", "Charles Babbage"],
                "places": ["London"],
            },
        }
        for i in range(n_items)
    ]
    spec = {
        "name": "engine-test",
        "project": "acme",
        "endpoints": [
            {
                "name": "sim",
                "base_url": base_url,
                "max_concurrency": 16,
                "prices": {
                    "sim-extractor": {"input_per_mtok": 1.0, "output_per_mtok": 2.0}
                },
            }
        ],
        "dataset": {"items": items},
        "prompts": [{"name": "p", "template": "Text: {{ passage }}"}],
        "models": [
            {"endpoint": "sim", "model": "sim-extractor"},
            {"endpoint": "sim", "model": "sim-sloppy"},
        ],
        "params": {"temperature": [0.0, 0.7]},
        "scorers": [{"type": "json_valid"}, {"type": "json_f1", "field": "people"}],
        "concurrency": 4,
    }
    spec.update(overrides)
    return spec


def start(spec: dict, **sweep_options) -> Sweep:
    experiment, _ = create_experiment(spec)
    return create_sweep(experiment, **sweep_options)


def run(spec: dict, **sweep_options) -> Sweep:
    return run_sweep(start(spec, **sweep_options))


REPO = Path(__file__).resolve().parents[2]


def start_worker(env: dict) -> subprocess.Popen:
    """A real qcluster in its own process group (it forks its workers)."""
    return subprocess.Popen(
        [sys.executable, str(REPO / "manage.py"), "qcluster"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def kill_worker(process: subprocess.Popen) -> None:
    """SIGKILL the whole group at once, as a crash would."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def in_background(sweep: Sweep) -> threading.Thread:
    """Run the sweep in a thread, as a worker would, while the test steers."""
    thread = threading.Thread(target=run_sweep, args=(sweep,), daemon=True)
    thread.start()
    return thread


def fresh(sweep: Sweep) -> Sweep:
    return Sweep.objects.get(pk=sweep.pk)


def wait_for(
    condition: Callable[[], object], timeout: float = 30.0, what: str = "the condition"
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)
