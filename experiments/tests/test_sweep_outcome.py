"""How a sweep ends and what the commands say about it: a sweep in which no
run succeeded failed (exit 2); one with some successes completed (exit 0);
the progress bar's last line and the cost say how it really ended."""

from __future__ import annotations

import io
import json

import pytest
import yaml

from experiments.management.commands._sweep_output import ProgressBar
from experiments.services.sweeps import sweep_summary
from experiments.tests.engine_helpers import extraction_spec, run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fast_retries(settings):
    settings.RETRY_BASE_DELAY_S = 0.01


def one_model(base_url: str, model: str = "sim-extractor", **overrides) -> dict:
    return extraction_spec(
        base_url,
        n_items=3,
        models=[{"endpoint": "sim", "model": model}],
        params={},
        **overrides,
    )


def unpriced(spec: dict) -> dict:
    spec["endpoints"][0].pop("prices")
    return spec


def write(tmp_path, spec: dict):
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    return str(path)


def progress_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("[")]


def test_a_sweep_in_which_every_run_failed_has_failed(make_simulator):
    sim = make_simulator(malformed_rate=1.0)
    sweep = run(one_model(sim.base_url))
    assert (sweep.status, sweep.done, sweep.errors) == ("failed", 3, 3)
    assert sweep.error_message == "no run succeeded (3 of 3 failed)"
    assert sweep.finished_at is not None


def test_a_sweep_with_some_successes_completes_with_its_errors(make_simulator):
    sim = make_simulator(context_chars=200)
    spec = one_model(sim.base_url, concurrency=1)
    spec["dataset"] = {
        "items": [
            {"input": {"passage": "Ada met Grace. " + "x" * 300}},
            {"input": {"passage": "Ada met Grace in Paris."}},
        ]
    }
    sweep = run(spec)
    assert (sweep.status, sweep.done, sweep.errors) == ("completed", 2, 1)
    assert sweep.error_message == ""


def test_a_summary_without_prices_has_no_cost_rather_than_zero(simulator):
    sweep = run(unpriced(one_model(simulator.base_url)))
    assert sweep_summary(sweep)["cost"] is None
    priced = run(one_model(simulator.base_url, name="priced"), no_cache=True)
    assert sweep_summary(priced)["cost"] > 0
    cached = run(one_model(simulator.base_url, name="priced"))
    assert sweep_summary(cached)["cost"] == 0.0  # known prices, all cached: free


def test_the_progress_bars_last_line_says_how_the_sweep_ended(simulator):
    sweep = run(one_model(simulator.base_url))
    stream = io.StringIO()
    bar = ProgressBar(stream)
    sweep.status = "running"
    bar.update(sweep)  # the runner's last report: the sweep was still running
    sweep.refresh_from_db()
    bar.close(sweep)
    last = stream.getvalue().splitlines()[-1]
    assert last.endswith("(completed)") and "3/3" in last and "ETA" not in last


def test_runexperiment_exits_2_when_no_run_succeeded(manage, tmp_path, make_simulator):
    sim = make_simulator(malformed_rate=1.0)
    done = manage("runexperiment", write(tmp_path, one_model(sim.base_url)), "--json")
    assert done.returncode == 2, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["status"], summary["errors"]) == ("failed", 3)
    assert "failed: no run succeeded (3 of 3 failed)" in done.stderr
    assert progress_lines(done.stderr)[-1].endswith("(failed)")


def test_runexperiment_exits_0_with_some_errors_and_says_cost_na(
    manage, tmp_path, make_simulator
):
    sim = make_simulator(context_chars=200)
    spec = unpriced(one_model(sim.base_url, concurrency=1))
    spec["dataset"] = {
        "items": [
            {"input": {"passage": "Ada met Grace. " + "x" * 300}},
            {"input": {"passage": "Ada met Grace in Paris."}},
        ]
    }
    done = manage("runexperiment", write(tmp_path, spec))
    assert done.returncode == 0, done.stderr
    assert "completed: 2/2 runs, 1 errors" in done.stdout
    assert "cost n/a" in done.stdout and "$0.0000" not in done.stdout
    lines = progress_lines(done.stderr)
    assert lines[-1].endswith("(completed)") and "2/2" in lines[-1]
