"""Over stdio against a spawned ``mcp_server --transport stdio``: the key
comes from ``PROMPTLOOPER_API_KEY``; a missing or bad one stops it at
start-up with a clear message."""

from __future__ import annotations

import subprocess
import sys

import pytest
from mcp import Client, StdioServerParameters

from agents_mcp.tests.helpers import REPO, data_of, error_of, session

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ARGS = [str(REPO / "manage.py"), "mcp_server", "--transport", "stdio"]


def stdio_client(env: dict, key: str) -> Client:
    return Client(
        StdioServerParameters(
            command=sys.executable,
            args=ARGS,
            env={**env, "PROMPTLOOPER_API_KEY": key},
            cwd=str(REPO),
        )
    )


def test_a_stdio_session_acts_as_the_key_user(test_db_env, keys, project):
    async def body(client):
        tools = (await client.list_tools()).tools
        projects = await client.call_tool("list_projects", {})
        created = await client.call_tool(
            "create_dataset", {"project": project.pk, "name": "qa"}
        )
        return tools, projects, created

    tools, projects, created = session(
        lambda: stdio_client(test_db_env, keys["viewer"]), body
    )
    assert all(tool.description and tool.input_schema for tool in tools)
    listed = data_of(projects)["projects"]
    assert [(p["name"], p["role"]) for p in listed] == [("acme", "viewer")]
    assert error_of(created)["status"] == 403
    assert not project.datasets.filter(name="qa").exists()


@pytest.mark.parametrize("key", ["", "plk_00000000_not-a-key"])
def test_a_missing_or_bad_key_stops_stdio_at_start_up(test_db_env, key):
    env = {**test_db_env, "PROMPTLOOPER_API_KEY": key}
    done = subprocess.run(
        [sys.executable, *ARGS],
        cwd=REPO,
        env=env,
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "PROMPTLOOPER_API_KEY" in done.stderr
    assert done.stdout == ""  # the protocol's channel stays clean
