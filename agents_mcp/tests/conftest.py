"""Fixtures of the MCP tests: a real ``mcp_server`` process on this run's
test database, keys of every role, and a session of the SDK's own client."""

from __future__ import annotations

import pytest

from agents_mcp.tests.helpers import running_mcp
from experiments.services.access import create_api_key


@pytest.fixture
def keys(alice, bob, carol, charlie, project) -> dict[str, str]:
    """An API key per role in "acme": owner, editor, viewer, outsider, and
    the owner's read-only key."""
    made = {}
    for name, user, read_only in (
        ("owner", alice, False),
        ("editor", bob, False),
        ("viewer", carol, False),
        ("outsider", charlie, False),
        ("read_only", alice, True),
    ):
        made[name] = create_api_key(user, name, read_only=read_only)[1]
    return made


@pytest.fixture
def mcp_http(test_db_env):
    """``manage.py mcp_server`` over streamable HTTP; yields its /mcp URL."""
    with running_mcp(test_db_env) as url:
        yield url
