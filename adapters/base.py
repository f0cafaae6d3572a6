"""The adapter contract: one async call from rendered messages to a completion.

Retries, rate limits and concurrency live once in the engine (``adapters.retry``
and ``adapters.limits``), not in each adapter: an adapter makes one attempt and
says, through ``AdapterError.retryable``, whether another could succeed.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx


class HttpClient(Protocol):
    """What an adapter sends with: an ``httpx.AsyncClient`` or the engine's
    ``adapters.http.PooledClient``."""

    async def post(
        self,
        url: str,
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response: ...


@dataclass(frozen=True)
class EndpointConfig:
    """What an adapter needs of an endpoint (the row, decrypted, detached)."""

    name: str
    base_url: str
    kind: str = "openai"
    api_key: str = field(default="", repr=False)
    max_concurrency: int = 8
    rpm: int | None = None
    tpm: int | None = None
    timeout_s: float = 60.0
    prices: dict = field(default_factory=dict)


@dataclass
class Completion:
    text: str
    raw: dict
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    finish_reason: str | None = None
    latency_ms: float = 0.0
    # The model the server says answered; servers that answer whatever model
    # is asked show a misspelt name here.
    served_model: str = ""


def served_model(raw: object) -> str:
    """An OpenAI-style response's ``model``, as text a database stores (no
    NUL, at most 200 characters), or "" when it has none."""
    model = raw.get("model") if isinstance(raw, dict) else None
    if not isinstance(model, str):
        return ""
    return model.replace("\x00", "")[:200]


class AdapterError(Exception):
    """One failed attempt. ``kind`` is a short tag for the run table
    (``http_429``, ``timeout``, ``connect``, ``malformed``, ...).

    ``systemic``: the endpoint or model as a whole is broken (a refused key,
    an unknown model), so the model's other requests would fail the same way;
    false for errors about this request (a prompt over the context length).
    ``sent``: false when no request went out (the engine refused to send it).
    """

    # Requests sent for the call that failed: 1 for one attempt (0 if not
    # sent); ``call_with_retries`` sets it to the total over every attempt
    # it made, so a run failed after retries records how many went out.
    attempts: int

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        kind: str = "error",
        status: int | None = None,
        retry_after: float | None = None,
        systemic: bool = False,
        sent: bool = True,
    ):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.kind = kind
        self.status = status
        self.retry_after = retry_after
        self.systemic = systemic
        self.sent = sent
        self.attempts = 1 if sent else 0

    def shared(self) -> AdapterError:
        """The same failure for a caller that shared this request: it sent
        nothing itself, so it counts no attempts."""
        return AdapterError(
            self.message,
            retryable=self.retryable,
            kind=self.kind,
            status=self.status,
            systemic=self.systemic,
            sent=False,
        )


class BaseAdapter(ABC):
    """Subclasses set ``kind`` and implement ``request_body``, ``complete``
    and ``parse_response``. The adapter owns its server's response format:
    the engine reads cached responses through ``parse_response`` too."""

    kind: str = ""
    # Parameters the server applies when absent; the cache key includes them
    # so "temperature omitted" and "temperature: 1" share a cache entry.
    defaults: dict[str, Any] = {}

    def __init__(self, endpoint: EndpointConfig, client: HttpClient):
        self.endpoint = endpoint
        self.client = client

    @abstractmethod
    def request_body(self, messages: list[dict], model: str, params: dict) -> dict:
        """The JSON body that would be sent (no credentials): the cache keys it."""

    @abstractmethod
    async def complete(
        self, messages: list[dict], model: str, params: dict
    ) -> Completion:
        """Make one attempt; raise ``AdapterError`` on any failure."""

    @abstractmethod
    def parse_response(self, raw: Any, latency_ms: float = 0.0) -> Completion:
        """The completion in a response body this adapter's server sent (the
        live call's, or the one the cache stored); raise ``AdapterError``
        (kind ``malformed``) when it has none."""
