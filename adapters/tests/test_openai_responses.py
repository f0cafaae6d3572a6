"""The OpenAI adapter owns its response format: live and cached bodies are
read by one parser, and a base URL's query reaches the server."""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from adapters.base import AdapterError, EndpointConfig
from adapters.openai import OpenAIAdapter
from adapters.retry import RetryPolicy, call_with_retries
from adapters.urls import normalise_base_url

MESSAGES = [{"role": "user", "content": "hi"}]


async def complete(base_url: str):
    async with httpx.AsyncClient() as client:
        adapter = OpenAIAdapter(EndpointConfig(name="e", base_url=base_url), client)
        return adapter, await adapter.complete(MESSAGES, "sim-echo", {})


def test_a_cached_body_reads_as_the_live_one_did(simulator):
    adapter, live = asyncio.run(complete(simulator.base_url))
    assert live.text and live.prompt_tokens
    cached = adapter.parse_response(live.raw, live.latency_ms)
    assert cached == live


@pytest.mark.parametrize(
    "raw", [{}, {"choices": []}, {"choices": [{"text": "x"}]}, [], "text", None]
)
def test_a_stored_body_without_a_completion_is_malformed(raw):
    adapter = OpenAIAdapter(EndpointConfig(name="e", base_url="http://h/v1"), None)
    with pytest.raises(AdapterError) as caught:
        adapter.parse_response(raw)
    assert caught.value.kind == "malformed"
    assert caught.value.message.startswith("malformed response body: ")


class Recorder(BaseHTTPRequestHandler):
    paths: list[str] = []

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        Recorder.paths.append(self.path)
        body = json.dumps(
            {"choices": [{"message": {"content": "ok"}}], "model": "m"}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_the_query_of_a_base_url_is_sent_after_the_path():
    """Azure-style endpoints need ``?api-version=...`` on every request."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        base = normalise_base_url(f"HTTP://127.0.0.1:{port}/v1/?api-version=2024-06-01")
        assert base == f"http://127.0.0.1:{port}/v1?api-version=2024-06-01"
        _, completion = asyncio.run(complete(base))
    finally:
        server.shutdown()
        server.server_close()
    assert completion.text == "ok"
    assert Recorder.paths == ["/v1/chat/completions?api-version=2024-06-01"]


def test_an_adapter_error_carries_the_requests_it_sent():
    assert AdapterError("x", retryable=False).attempts == 1
    assert AdapterError("x", retryable=False, sent=False).attempts == 0

    async def always_failing():
        raise AdapterError("busy", retryable=True, retry_after=0)

    async def no_sleep(_delay):
        return None

    policy = RetryPolicy(attempts=3)
    with pytest.raises(AdapterError) as caught:
        asyncio.run(call_with_retries(always_failing, policy, sleep=no_sleep))
    assert caught.value.attempts == 3
