"""The OpenAI-compatible adapter (chat completions, non-streaming)."""

from __future__ import annotations

import time

import httpx

from adapters.base import AdapterError, BaseAdapter, Completion
from adapters.retry import parse_retry_after

_RETRYABLE_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


class OpenAIAdapter(BaseAdapter):
    kind = "openai"

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
        url = f"{self.endpoint.base_url}/chat/completions"
        started = time.perf_counter()
        try:
            response = await self.client.post(
                url,
                json=self.request_body(messages, model, params),
                headers=headers,
                timeout=self.endpoint.timeout_s,
            )
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
        return _parse(response, latency_ms)


def _status_error(response: httpx.Response) -> AdapterError:
    status = response.status_code
    try:
        detail = response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        detail = response.text.strip()[:300] or response.reason_phrase
    return AdapterError(
        f"HTTP {status}: {detail}",
        retryable=status in _RETRYABLE_STATUS or status >= 500,
        kind=f"http_{status}",
        status=status,
        retry_after=parse_retry_after(response.headers.get("Retry-After")),
    )


def _parse(response: httpx.Response, latency_ms: float) -> Completion:
    try:
        raw = response.json()
        choice = raw["choices"][0]
        text = choice["message"].get("content") or ""
        usage = raw.get("usage") or {}
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        snippet = response.text[:200].replace("\n", " ")
        raise AdapterError(
            f"malformed response body: {snippet!r}", retryable=False, kind="malformed"
        ) from None
    return Completion(
        text=text,
        raw=raw,
        prompt_tokens=usage.get("prompt_tokens"),
        completion_tokens=usage.get("completion_tokens"),
        finish_reason=choice.get("finish_reason"),
        latency_ms=latency_ms,
    )
