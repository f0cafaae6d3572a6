"""The client configurations in docs/mcp.md work as written: the stdio one
spawns the server, the HTTP one reaches a running one."""

from __future__ import annotations

import json
import re

import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from agents_mcp.tests.helpers import REPO, data_of, session

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
DOC = REPO / "docs" / "mcp.md"


def snippet(marker: str, key: str) -> dict:
    text = DOC.read_text()
    found = re.search(rf"<!-- {marker} -->\n```json\n(.*?)```", text, re.S)
    assert found, marker
    text = found.group(1).replace("/path/to/promptlooper", str(REPO))
    config = json.loads(text.replace("plk_your_key", key))
    return config["mcpServers"]["promptlooper"]


def test_the_stdio_configuration_runs_as_written(test_db_env, keys):
    server = snippet("mcp-stdio", keys["owner"])
    # Only the database (and, against PostgreSQL, production mode's required
    # secrets) is this test's own; the rest is the snippet's.
    own = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PROMPTLOOPER_FERNET_KEYS")
    env = {**server["env"], **{k: test_db_env[k] for k in own if k in test_db_env}}

    async def body(client):
        return await client.call_tool("list_projects", {})

    params = StdioServerParameters(
        command=server["command"], args=server["args"], env=env
    )
    projects = session(lambda: Client(params), body)
    assert [p["name"] for p in data_of(projects)["projects"]] == ["acme"]


def test_the_http_configuration_reaches_the_server(mcp_http, keys):
    server = snippet("mcp-http", keys["owner"])
    assert server["url"] == "http://127.0.0.1:8401/mcp"  # the default port
    url = mcp_http  # this test's server, on a free port

    async def body(client):
        return await client.call_tool("list_projects", {})

    def connect():
        http = httpx2.AsyncClient(headers=server["headers"])
        return Client(streamable_http_client(url, http_client=http))

    projects = session(connect, body)
    assert [p["name"] for p in data_of(projects)["projects"]] == ["acme"]
