"""Who opened a WebSocket: the API's credentials, read from a handshake.

Tried in this order: a bearer credential offered as subprotocols
(``["bearer", "<jwt or plk_ key>"]``: browsers cannot set headers on a
WebSocket), ``?token=<jwt>``, ``?key=<plk_ key>``, then the session cookie.
A credential that is given but wrong refuses the connection (no falling back
to the session), and counts against the caller's address exactly as a
rejected API key or bearer token does on the API
(``experiments.api.throttling``), so the socket is no side door for guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs

from rest_framework import exceptions

from experiments.api.authentication import JWTAuthentication
from experiments.api.throttling import record_rejection, refuse_if_blocked
from experiments.models import ApiKey
from experiments.services.access import KEY_PREFIX, authenticate_api_key

BEARER = "bearer"


@dataclass(frozen=True)
class Caller:
    user: Any  # a signed-in User
    api_key: ApiKey | None = None


def query_params(scope: dict) -> dict[str, str]:
    """The handshake's query string, last value of each name."""
    raw = scope.get("query_string", b"").decode("latin-1")
    return {name: values[-1] for name, values in parse_qs(raw).items()}


def offered_bearer(scope: dict) -> str | None:
    """The credential after ``bearer`` in the offered subprotocols, if any."""
    offered = list(scope.get("subprotocols") or [])
    if BEARER in offered:
        index = offered.index(BEARER)
        if index + 1 < len(offered):
            return offered[index + 1]
        return ""
    return None


def _request_like(scope: dict) -> SimpleNamespace:
    """What ``client_address`` reads, from the handshake's scope."""
    meta: dict[str, str] = {}
    client = scope.get("client")
    if client:
        meta["REMOTE_ADDR"] = client[0]
    for name, value in scope.get("headers", []):
        if name == b"x-forwarded-for":
            meta["HTTP_X_FORWARDED_FOR"] = value.decode("latin-1")
    return SimpleNamespace(META=meta)


def _from_credential(credential: str) -> Caller | None:
    if credential.startswith(KEY_PREFIX):
        api_key = authenticate_api_key(credential)
        return Caller(api_key.user, api_key) if api_key else None
    jwt = JWTAuthentication()
    try:
        user = jwt.get_user(jwt.get_validated_token(credential.encode()))
    except exceptions.AuthenticationFailed:  # InvalidToken is one too
        return None
    return Caller(user)


def authenticate(scope: dict) -> Caller | None:
    """The caller of a handshake, or None (refuse it). Runs the database
    queries of the API's own authentication: call it off the event loop."""
    params = query_params(scope)
    credential = offered_bearer(scope)
    if credential is None:
        credential = params.get("token", params.get("key"))
    if credential is not None:
        request = _request_like(scope)
        try:
            refuse_if_blocked(request)
        except exceptions.Throttled:
            return None
        caller = _from_credential(credential.strip())
        if caller is None:
            record_rejection(request)
        return caller
    user = scope.get("user")
    if user is not None and user.is_authenticated and user.is_active:
        return Caller(user)
    return None


def still_valid(caller: Caller) -> bool:
    """False once the caller's user is deactivated or its API key revoked or
    expired (checked again before a steering action: a socket outlives the
    credential it opened with)."""
    user_model = type(caller.user)
    if not user_model.objects.filter(pk=caller.user.pk, is_active=True).exists():
        return False
    if caller.api_key is None:
        return True
    return ApiKey.objects.usable().filter(pk=caller.api_key.pk).exists()
