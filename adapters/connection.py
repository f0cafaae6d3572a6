"""Connection checks for OpenAI-compatible endpoints (the admin's "test").

Editors choose the URL, so the answer must not turn the check into a window
on the server's network: the message gives the HTTP status and a generic
reason, never the body or a low-level error, and model ids are shown only
when the answer really is an OpenAI model list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import cast

import httpx

from adapters.endpoint_policy import host_problem
from adapters.urls import join_url

MAX_BODY_BYTES = 2 * 1024 * 1024  # a model list is small; read no more
MAX_ID_CHARS = 200


@dataclass(frozen=True)
class ConnectionResult:
    ok: bool
    message: str
    models: list[str] = field(default_factory=list)


def check_connection(
    base_url: str, api_key: str = "", timeout_s: float = 10.0
) -> ConnectionResult:
    """GET ``{base_url}/models`` and say, readably, whether the endpoint answers
    and accepts the key. The key is sent but never appears in the message."""
    refused = host_problem(base_url)
    if refused:
        return ConnectionResult(False, f"not called: {refused}")
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    url = join_url(base_url, "/models")
    try:
        with httpx.stream("GET", url, headers=headers, timeout=timeout_s) as response:
            status = response.status_code
            body = _read_capped(response) if status == 200 else b""
    except httpx.TimeoutException:
        return ConnectionResult(False, f"no answer within {timeout_s:g} s")
    except (httpx.HTTPError, httpx.InvalidURL, ValueError, OSError):
        return ConnectionResult(False, "could not connect")
    if status in (401, 403):
        return ConnectionResult(
            False, f"the endpoint refused the API key (HTTP {status})"
        )
    if status != 200:
        return ConnectionResult(False, f"HTTP {status}")
    models = _model_ids(body)
    if models is None:
        return ConnectionResult(False, "HTTP 200 but not an OpenAI model list")
    shown = ", ".join(models[:10]) + (" ..." if len(models) > 10 else "")
    return ConnectionResult(
        True, f"connected: {len(models)} model(s) available: {shown}", models
    )


def _read_capped(response: httpx.Response) -> bytes | None:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _model_ids(body: bytes | None) -> list[str] | None:
    """The ids of an OpenAI model list ({"object": "list", "data": [{"id"...}]}),
    or None for anything else."""
    if body is None:
        return None
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or document.get("object", "list") != "list":
        return None
    data = document.get("data")
    if not isinstance(data, list):
        return None
    ids = [entry.get("id") if isinstance(entry, dict) else None for entry in data]
    if not all(isinstance(i, str) and 0 < len(i) <= MAX_ID_CHARS for i in ids):
        return None
    return cast(list[str], ids)  # every one a str, as checked
