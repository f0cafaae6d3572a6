"""Who calls a tool: an API key of the REST API's, as its user.

Over HTTP the key is the ``Authorization: Bearer`` token, checked by the
SDK's bearer middleware through ``ApiKeyVerifier`` (a bad or missing one is
a 401 before any tool runs). Over stdio there is no header: the key comes
from ``PROMPTLOOPER_API_KEY`` and is checked once at start-up. Every call
authenticates the key again, so a key revoked meanwhile stops working.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from asgiref.sync import sync_to_async
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from rest_framework.exceptions import Throttled

from experiments.api.throttling import record_rejection, refuse_if_blocked
from experiments.exceptions import Forbidden
from experiments.live.auth import _request_like
from experiments.models import ApiKey, Project
from experiments.services.access import (
    authenticate_api_key,
    require_project_role,
    visible_projects,
)

SCOPE = "promptlooper"
ENV_KEY = "PROMPTLOOPER_API_KEY"
# Set by ``mcp_server --transport stdio``: the one key of the process.
_stdio_key: str | None = None


def use_stdio_key(key: str | None) -> None:
    global _stdio_key
    _stdio_key = key


@dataclass(frozen=True)
class Caller:
    user: Any  # a signed-in User
    api_key: ApiKey

    def projects(self):
        return visible_projects(self.user, self.api_key)

    @property
    def request(self) -> SimpleNamespace:
        """What the API's serializers read off a request (scoped choices)."""
        return SimpleNamespace(user=self.user, auth=self.api_key)

    def require(self, project: Project, role: str) -> None:
        """The API's check: the key's project limit, read-only flag and the
        user's role in ``project``."""
        require_project_role(project, self.user, role, self.api_key)


class ApiKeyVerifier:
    """The SDK's ``TokenVerifier``: a bearer token is one of our API keys."""

    async def verify_token(self, token: str) -> AccessToken | None:
        api_key = await sync_to_async(authenticate_api_key, thread_sensitive=True)(
            token.strip()
        )
        if api_key is None:
            return None
        return AccessToken(
            token=token.strip(),
            client_id=f"apikey-{api_key.pk}",
            scopes=[SCOPE],
            subject=str(api_key.user_id),
        )


def current_key() -> str | None:
    """The raw key of this call: the bearer token, or the stdio key."""
    token = get_access_token()
    return token.token if token is not None else _stdio_key


def caller_of(key: str | None) -> Caller:
    """The caller holding ``key`` (database: call it off the event loop)."""
    api_key = authenticate_api_key(key) if key else None
    if api_key is None:
        raise Forbidden("Invalid, revoked or expired API key.")
    return Caller(api_key.user, api_key)


class RejectionThrottle:
    """ASGI middleware: a rejected key counts against the caller's address
    exactly as on the API and the WebSocket (``api.throttling``), and an
    address over its limit gets 429 before any key is checked, so the MCP
    endpoint is no side door for guessing keys."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = _request_like(scope)
        try:
            await sync_to_async(refuse_if_blocked, thread_sensitive=True)(request)
        except Throttled as exc:
            await _refuse(send, 429, str(exc.detail), getattr(exc, "wait", None))
            return
        status: list[int] = []

        async def watch(message: dict) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        await self.app(scope, receive, watch)
        offered = any(name == b"authorization" for name, _ in scope["headers"])
        if offered and status[:1] == [401]:
            await sync_to_async(record_rejection, thread_sensitive=True)(request)


async def _refuse(send: Any, code: int, detail: str, wait: float | None) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json")]
    if wait:
        headers.append((b"retry-after", str(int(wait) + 1).encode()))
    await send({"type": "http.response.start", "status": code, "headers": headers})
    await send({"type": "http.response.body", "body": body})
