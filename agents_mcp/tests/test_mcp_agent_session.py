"""An agent's whole session with the SDK's client over streamable HTTP,
against a running ``mcp_server``, a real worker and the LLM simulator."""

from __future__ import annotations

import functools

import pytest

from agents_mcp.tests.helpers import data_of, error_of, http_client, session
from experiments.tests.engine_helpers import extraction_spec, kill_worker, start_worker

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(test_db_env):
    process = start_worker(test_db_env)
    yield process
    kill_worker(process)


def test_an_agent_validates_runs_steers_reads_and_promotes(
    mcp_http, keys, make_simulator, worker
):
    simulator = make_simulator(latency_ms=40)
    spec = extraction_spec(simulator.base_url, n_items=12, concurrency=2)
    broken = {**spec, "models": [{"endpoint": "nowhere", "model": "sim-extractor"}]}
    progress: list[tuple[float, float | None]] = []

    async def on_progress(done, total, message):
        progress.append((done, total))

    async def body(client):
        steps = {}
        steps["broken"] = data_of(
            await client.call_tool("validate_spec", {"spec": broken})
        )
        steps["fixed"] = data_of(
            await client.call_tool("validate_spec", {"spec": spec})
        )
        steps["saved"] = data_of(
            await client.call_tool("save_experiment", {"spec": spec})
        )
        started = data_of(
            await client.call_tool(
                "start_sweep",
                {"experiment": steps["saved"]["id"], "max_runs": 100,
                 "max_cost": 1.0},
            )
        )  # fmt: skip
        steps["started"] = started
        sweep = started["sweep"]["id"]
        steps["first_wait"] = data_of(
            await client.call_tool(
                "wait_for_sweep",
                {"sweep": sweep, "timeout_s": 2},
                progress_callback=on_progress,
            )
        )
        steps["paused"] = data_of(
            await client.call_tool("pause_sweep", {"sweep": sweep})
        )
        steps["resumed"] = data_of(
            await client.call_tool("resume_sweep", {"sweep": sweep})
        )
        for _ in range(6):
            waited = data_of(
                await client.call_tool(
                    "wait_for_sweep",
                    {"sweep": sweep, "timeout_s": 20},
                    progress_callback=on_progress,
                )
            )
            if waited["final"]:
                break
        steps["final"] = waited
        board = data_of(await client.call_tool("leaderboard", {"sweep": sweep}))
        steps["board"] = board
        top = [row["config_hash"] for row in board["rows"][:2]]
        steps["compared"] = data_of(
            await client.call_tool("compare_configs", {"sweep": sweep, "configs": top})
        )
        steps["promoted"] = data_of(
            await client.call_tool(
                "promote", {"sweep": sweep, "config": top[0], "label": "production"}
            )
        )
        steps["deployment"] = data_of(
            await client.call_tool(
                "get_deployment",
                {"project": "acme", "experiment": spec["name"], "label": "production"},
            )
        )
        return steps

    steps = session(functools.partial(http_client, mcp_http, keys["editor"]), body)

    assert steps["broken"]["valid"] is False
    assert any(e["path"] == "models[0].endpoint" for e in steps["broken"]["errors"])
    fixed = steps["fixed"]
    assert fixed["valid"] is True
    assert fixed["runs"] == 48 and fixed["unique_calls"] == 48
    assert fixed["estimated_cost"] > 0
    assert fixed["concurrency"][0]["effective"] == 2
    started = steps["started"]
    assert started["estimate"]["runs"] == 48
    assert started["budget"]["max_runs"] == 100
    assert steps["first_wait"]["final"] is False  # 48 runs at 2 in flight
    assert steps["first_wait"]["timed_out"] is True
    assert steps["paused"]["sweep"]["status"] == "paused"
    assert steps["resumed"]["sweep"]["status"] in ("queued", "running")
    assert progress and progress[-1][1] == 48
    final = steps["final"]
    assert final["sweep"]["status"] == "completed"
    assert final["sweep"]["done"] == 48
    rows = steps["board"]["rows"]
    assert steps["board"]["configs"] == 4 and rows[0]["rank"] == 1
    assert "tied_with_best" in rows[1] and set(rows[0]["on_front"]) == {
        "cost",
        "latency",
    }
    assert [c["config_hash"] for c in steps["compared"]["configs"]] == [
        rows[0]["config_hash"],
        rows[1]["config_hash"],
    ]
    assert steps["promoted"]["config_hash"] == rows[0]["config_hash"]
    assert steps["deployment"]["config_hash"] == rows[0]["config_hash"]


def test_a_start_over_its_budget_is_refused_with_the_estimate(
    mcp_http, keys, alice, simulator
):
    from experiments.services import create_experiment

    experiment = create_experiment(extraction_spec(simulator.base_url), alice)[0]

    async def body(client):
        return await client.call_tool(
            "start_sweep", {"experiment": experiment.pk, "max_runs": 10}
        )

    error = error_of(
        session(functools.partial(http_client, mcp_http, keys["owner"]), body)
    )
    assert error["status"] == 400
    assert "24 runs > max_runs 10" in error["detail"]
    assert error["estimate"]["runs"] == 24
    assert experiment.sweeps.count() == 0
