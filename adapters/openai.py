"""The OpenAI-compatible adapter (chat completions, non-streaming)."""

from __future__ import annotations

import re
import reprlib
import time
from typing import Any

import httpx

from adapters.base import (
    AdapterError,
    BaseAdapter,
    Completion,
    EndpointConfig,
    HttpClient,
    served_model,
)
from adapters.retry import parse_retry_after
from adapters.urls import join_url

_RETRYABLE_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
# Errors about the endpoint or model as a whole: a refused key, an unknown
# model or route. Anything else (a 400 for a prompt over the context length,
# an invalid parameter) concerns this request only.
_SYSTEMIC_STATUS = {401, 403, 404}
_SYSTEMIC_CODES = {"invalid_api_key", "model_not_found"}
# A 500 whose body says the request is invalid: retrying cannot help. Seen
# from llama-cpp-python (FastAPI's validation error wrapped in an
# "internal_server_error": "1 validation error: {'type': ..., 'loc': ('body',
# 'temperature'), 'msg': 'Input should be ...'}"), from llama.cpp's server
# ("[json.exception.type_error.302] type must be number, but is string") and
# from servers that send OpenAI's "invalid_request_error" type with a 500.
INVALID_REQUEST_500 = re.compile(
    r"validation error"
    r"|'loc': \(|\"loc\": ?\["
    r"|Input should be|field required"
    r"|json\.exception\."
    r"|invalid_request_error",
    re.IGNORECASE,
)


# What reading a body that is not a chat completion raises.
_UNREADABLE = (
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    RecursionError,  # nested deeper than the JSON parser goes
)


class OpenAIAdapter(BaseAdapter):
    kind = "openai"

    def __init__(self, endpoint: EndpointConfig, client: HttpClient):
        super().__init__(endpoint, client)
        # The query (Azure's api-version) stays after the path.
        self.url = join_url(endpoint.base_url, "/chat/completions")

    def request_body(self, messages: list[dict], model: str, params: dict) -> dict:
        # Responses are read whole; a stream flag from a spec is never sent.
        sent = {key: value for key, value in params.items() if key != "stream"}
        return {"model": model, "messages": messages, **sent}

    async def complete(
        self, messages: list[dict], model: str, params: dict
    ) -> Completion:
        headers = {}
        if self.endpoint.api_key:
            headers["Authorization"] = f"Bearer {self.endpoint.api_key}"
        started = time.perf_counter()
        try:
            response = await self.client.post(
                self.url,
                json=self.request_body(messages, model, params),
                headers=headers,
                timeout=self.endpoint.timeout_s,
            )
        except httpx.ConnectTimeout:
            raise AdapterError(
                f"cannot connect to {self.endpoint.base_url}: no connection "
                f"within {self.endpoint.timeout_s:g} s",
                retryable=True,
                kind="connect",
            ) from None
        except httpx.TimeoutException:
            raise AdapterError(
                f"no answer within {self.endpoint.timeout_s:g} s",
                retryable=True,
                kind="timeout",
            ) from None
        except httpx.TransportError as exc:
            reason = str(exc) or type(exc).__name__
            raise AdapterError(
                f"cannot connect to {self.endpoint.base_url}: {reason}",
                retryable=True,
                kind="connect",
            ) from None
        latency_ms = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise _status_error(response)
        try:
            raw = response.json()
            if b"\\u0000" in response.content:
                raw = without_nul(raw)
            return _completion(raw, latency_ms)
        except _UNREADABLE:
            raise _malformed(response.text) from None

    def parse_response(self, raw: Any, latency_ms: float = 0.0) -> Completion:
        try:
            return _completion(raw, latency_ms)
        except _UNREADABLE:
            raise _malformed(reprlib.repr(raw)) from None


def _status_error(response: httpx.Response) -> AdapterError:
    status = response.status_code
    code = None
    try:
        error = response.json()["error"]
        detail = error["message"] if isinstance(error, dict) else str(error)
        code = error.get("code") if isinstance(error, dict) else None
    except (ValueError, KeyError, TypeError, RecursionError):
        detail = response.text.strip()
    # Stored on the run: short, and nothing PostgreSQL refuses.
    detail = without_nul(str(detail).strip())[:300] or response.reason_phrase
    retryable = status in _RETRYABLE_STATUS or status >= 500
    if status == 500 and INVALID_REQUEST_500.search(response.text):
        retryable = False
        detail = f"{detail} (an invalid request, not retried)"
    return AdapterError(
        f"HTTP {status}: {detail}",
        retryable=retryable,
        kind=f"http_{status}",
        status=status,
        retry_after=parse_retry_after(response.headers.get("Retry-After")),
        systemic=status in _SYSTEMIC_STATUS
        or (isinstance(code, str) and code in _SYSTEMIC_CODES),
    )


def without_nul(value: Any) -> Any:
    """``value`` with every NUL character replaced by U+FFFD. A server may
    answer one (JSON allows ``\\u0000``), but PostgreSQL stores none in text or
    JSONB, and one such answer would fail the batch it is written with."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    return value


def _malformed(body: str) -> AdapterError:
    snippet = without_nul(body[:200].replace("\n", " "))
    return AdapterError(
        f"malformed response body: {snippet!r}", retryable=False, kind="malformed"
    )


def _completion(raw: Any, latency_ms: float) -> Completion:
    """The one reader of a chat completion body, live or cached."""
    choice = raw["choices"][0]
    text = choice["message"].get("content") or ""
    usage = raw.get("usage") or {}
    return Completion(
        text=text,
        raw=raw,
        prompt_tokens=usage.get("prompt_tokens"),
        completion_tokens=usage.get("completion_tokens"),
        finish_reason=choice.get("finish_reason"),
        latency_ms=latency_ms,
        served_model=served_model(raw),
    )
