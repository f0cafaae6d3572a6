"""Connection checks for OpenAI-compatible endpoints (the admin's "test")."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx


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
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    url = f"{base_url.rstrip('/')}/models"
    try:
        response = httpx.get(url, headers=headers, timeout=timeout_s)
    except httpx.TimeoutException:
        return ConnectionResult(False, f"no answer from {url} within {timeout_s:g} s")
    except httpx.HTTPError as exc:
        return ConnectionResult(False, f"cannot connect to {url}: {_reason(exc)}")
    if response.status_code in (401, 403):
        return ConnectionResult(
            False, f"the endpoint refused the API key (HTTP {response.status_code})"
        )
    if response.status_code != 200:
        return ConnectionResult(
            False, f"{url} answered HTTP {response.status_code}: {_snippet(response)}"
        )
    try:
        models = [m["id"] for m in response.json().get("data", [])]
    except (ValueError, AttributeError, KeyError, TypeError):
        return ConnectionResult(False, f"{url} did not answer an OpenAI model list")
    shown = ", ".join(models[:10]) + (" ..." if len(models) > 10 else "")
    return ConnectionResult(
        True, f"connected: {len(models)} model(s) available: {shown}", models
    )


def _reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__


def _snippet(response: httpx.Response) -> str:
    text = response.text.strip().replace("\n", " ")
    return text[:200] or "(empty body)"
