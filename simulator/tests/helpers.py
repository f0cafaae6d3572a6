"""Shared by the simulator's tests: a pooled HTTP client and the demo data."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
PASSAGES = ROOT / "examples" / "data" / "passages.jsonl"

# One pooled client for the tests: a fresh httpx.post() per call would spend
# most of the test time building TLS contexts and connections.
HTTP = httpx.Client(timeout=10)


def chat(base_url: str, model: str, content: str, **params) -> httpx.Response:
    body = {"model": model, "messages": [{"role": "user", "content": content}]}
    return HTTP.post(f"{base_url}/chat/completions", json={**body, **params})


def text_of(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return response.json()["choices"][0]["message"]["content"]


def demo_items() -> list[dict]:
    return [json.loads(line) for line in PASSAGES.read_text().splitlines()]
