"""Talking to a running MCP server with the SDK's client, synchronously."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_client(url: str, key: str) -> Client:
    headers = {"Authorization": f"Bearer {key}"}
    return Client(
        streamable_http_client(url, http_client=httpx2.AsyncClient(headers=headers))
    )


def session(client_factory: Callable[[], Client], body: Callable[..., Awaitable[Any]]):
    """Run ``body(client)`` in a fresh event loop with a connected client."""

    async def main():
        async with client_factory() as client:
            return await body(client)

    return anyio.run(main)


def error_of(result) -> dict:
    """A tool error's JSON body (the API's detail, status and field paths)."""
    assert result.is_error, result
    text = result.content[0].text
    _, _, body = text.partition(": ")
    return json.loads(body)


def data_of(result) -> Any:
    assert not result.is_error, result.content[0].text
    if result.structured_content is not None:
        return result.structured_content
    return json.loads(result.content[0].text)


@contextlib.contextmanager
def running_mcp(env: dict[str, str]) -> Iterator[str]:
    """``manage.py mcp_server`` over streamable HTTP on a free port, in its
    own process group; yields its /mcp URL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "manage.py"), "mcp_server", "--port", str(port)],
        cwd=REPO,
        env={**env, "LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/mcp"
    deadline = time.monotonic() + 60
    try:
        while True:
            with contextlib.suppress(httpx.TransportError):
                httpx.post(url, timeout=2)  # no key: a 401, not counted
                break
            assert proc.poll() is None, "mcp_server exited early"
            assert time.monotonic() < deadline, "mcp_server did not answer in 60 s"
            time.sleep(0.2)
        yield url
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
