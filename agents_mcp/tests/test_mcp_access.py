"""Over streamable HTTP against a running ``mcp_server``: every tool is
described, keys are checked (401), and each key acts with its user's role
and its own limits (viewer, read-only, outsider)."""

from __future__ import annotations

import functools
import random

import httpx
import pytest

from agents_mcp.tests.helpers import (
    data_of,
    error_of,
    http_client,
    running_mcp,
    session,
)
from experiments.tests.engine_helpers import extraction_spec

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "0"},
    },
}


def test_every_tool_has_a_description_and_an_input_schema(mcp_http, keys):
    async def body(client):
        return (await client.list_tools()).tools

    tools = session(functools.partial(http_client, mcp_http, keys["viewer"]), body)
    names = {tool.name for tool in tools}
    assert {"validate_spec", "start_sweep", "wait_for_sweep", "leaderboard",
            "compare_configs", "compare_sweeps", "promote", "get_deployment",
            "cache_stats", "list_runs", "get_run"} <= names  # fmt: skip
    for tool in tools:
        assert len(tool.description or "") > 40, tool.name
        assert tool.input_schema["type"] == "object", tool.name
    by_name = {tool.name: tool for tool in tools}
    # The spec's own JSON Schema, and the API serializer's bounds.
    spec = by_name["validate_spec"].input_schema["properties"]["spec"]
    assert "dataset" in spec["required"]
    concurrency = by_name["start_sweep"].input_schema["properties"]["concurrency"]
    assert concurrency["maximum"] == 1024


@pytest.mark.parametrize("auth", [None, "Bearer plk_deadbeef_wrong", "Basic abc"])
def test_a_wrong_or_missing_key_gets_401(mcp_http, keys, auth):
    headers = {"Accept": "application/json, text/event-stream"}
    if auth is not None:
        headers["Authorization"] = auth
    # Rejections count against the address: not the other tests' 127.0.0.1.
    with httpx.Client(transport=httpx.HTTPTransport(local_address=own_address())) as c:
        response = c.post(mcp_http, json=INIT, headers=headers, timeout=10)
    assert response.status_code == 401


def test_guessing_keys_gets_the_address_throttled_as_on_the_api(test_db_env, keys):
    env = {**test_db_env, "PROMPTLOOPER_THROTTLE_AUTH_FAILURES": "3/min"}
    # A loopback address of this test's own: the block lasts a minute and,
    # on Redis, is shared with every other test's server.
    guesser = httpx.Client(transport=httpx.HTTPTransport(local_address=own_address()))
    headers = {"Accept": "application/json, text/event-stream"}
    with running_mcp(env) as url, guesser:
        wrong = [
            guesser.post(url, json=INIT, timeout=10, headers={
                **headers, "Authorization": f"Bearer plk_0000000{n}_guess"})
            for n in range(3)
        ]  # fmt: skip
        good = {**headers, "Authorization": f"Bearer {keys['owner']}"}
        blocked = guesser.post(url, json=INIT, headers=good, timeout=10)
        elsewhere = httpx.post(url, json=INIT, headers=good, timeout=10)
    assert [r.status_code for r in wrong] == [401, 401, 401]
    assert blocked.status_code == 429
    assert "retry-after" in blocked.headers
    assert elsewhere.status_code == 200  # only the guessing address


def own_address() -> str:
    return f"127.{random.randrange(1, 255)}.{random.randrange(255)}.9"


def _acme_experiment(alice, simulator):
    from experiments.services import create_experiment

    spec = extraction_spec(simulator.base_url, n_items=2)
    return create_experiment(spec, alice)[0]


def test_a_viewer_key_reads_but_cannot_start(mcp_http, keys, alice, simulator):
    experiment = _acme_experiment(alice, simulator)

    async def body(client):
        listed = await client.call_tool("list_experiments", {})
        started = await client.call_tool("start_sweep", {"experiment": experiment.pk})
        return listed, started

    listed, started = session(
        functools.partial(http_client, mcp_http, keys["viewer"]), body
    )
    assert [e["id"] for e in data_of(listed)["experiments"]] == [experiment.pk]
    error = error_of(started)
    assert error["status"] == 403
    assert "editor role" in error["detail"]
    assert experiment.sweeps.count() == 0


def test_a_read_only_key_cannot_write(mcp_http, keys, alice, simulator):
    experiment = _acme_experiment(alice, simulator)
    spec = extraction_spec(simulator.base_url, n_items=2, name="another")
    prompt = experiment.prompt_versions.get().prompt_id

    async def body(client):
        return [
            await client.call_tool("list_projects", {}),
            await client.call_tool("validate_spec", {"spec": spec}),
            await client.call_tool("save_experiment", {"spec": spec}),
            await client.call_tool("start_sweep", {"experiment": experiment.pk}),
            await client.call_tool(
                "add_prompt_version",
                {
                    "prompt": prompt,
                    "messages": [{"role": "user", "content": "x {{ passage }}"}],
                },
            ),
        ]

    projects, validated, saved, started, versioned = session(
        functools.partial(http_client, mcp_http, keys["read_only"]), body
    )
    assert data_of(projects)["read_only_key"] is True
    assert data_of(validated)["valid"] is True  # reading is fine
    for refused in (saved, started, versioned):
        assert error_of(refused) == {
            "detail": "This API key is read-only.",
            "status": 403,
            "errors": [],
        }
    assert experiment.project.experiments.count() == 1
    assert experiment.sweeps.count() == 0


def test_an_outsider_key_sees_nothing(mcp_http, keys, alice, simulator):
    experiment = _acme_experiment(alice, simulator)

    async def body(client):
        return [
            await client.call_tool("list_projects", {}),
            await client.call_tool("list_experiments", {}),
            await client.call_tool("get_experiment", {"experiment": experiment.pk}),
            await client.call_tool("start_sweep", {"experiment": experiment.pk}),
        ]

    projects, experiments, got, started = session(
        functools.partial(http_client, mcp_http, keys["outsider"]), body
    )
    assert data_of(projects)["projects"] == []
    assert data_of(experiments)["experiments"] == []
    assert error_of(got)["status"] == 404
    assert error_of(started)["status"] == 404
