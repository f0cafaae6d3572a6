"""What an endpoint may point at and which key variables it may read.

An endpoint sends its key to its ``base_url``, and project editors choose both,
so the operator decides which environment variables may serve as keys
(``PROMPTLOOPER_ENDPOINT_KEY_ENV_ALLOWED``) and which hosts endpoints may call
(``PROMPTLOOPER_ENDPOINT_HOSTS_ALLOWED``). The same checks run where an endpoint
is written (spec validator, model validators for the admin and API) and where
it is used (connection test, sweep), so rows stored under looser settings are
refused too. Each check returns a readable problem or ``None``.
"""

from __future__ import annotations

import ipaddress
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from promptlooper_site.env import is_reserved_env_name

KEY_ENV_SETTING = "PROMPTLOOPER_ENDPOINT_KEY_ENV_ALLOWED"
HOSTS_SETTING = "PROMPTLOOPER_ENDPOINT_HOSTS_ALLOWED"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class EndpointRefused(Exception):
    """A stored endpoint the current settings do not allow to be called."""


def key_env_problem(name: str) -> str | None:
    if not name:
        return None
    if is_reserved_env_name(name):
        return (
            f"{name} is one of PromptLooper's own settings and can never be sent as "
            "an endpoint key; put the key in a variable named PROMPTLOOPER_KEY_<NAME>"
        )
    allowed = settings.ENDPOINT_KEY_ENV_ALLOWED
    if any(fnmatchcase(name, pattern) for pattern in allowed):
        return None
    shown = ", ".join(allowed) or "none"
    return (
        f"{name} is not a variable endpoints may read (allowed: {shown}; "
        f"the operator sets {KEY_ENV_SETTING})"
    )


def credentials_problem(base_url: str) -> str | None:
    try:
        parts = urlsplit(base_url)
    except ValueError:
        return None  # the URL check reports it
    if "@" in parts.netloc:
        return (
            "must not contain a user name or password (it would be stored and "
            "shown in clear); store the key as the endpoint's write-only API key "
            "or name it with api_key_env"
        )
    return None


def host_problem(base_url: str) -> str | None:
    rules = _host_rules(tuple(settings.ENDPOINT_HOSTS_ALLOWED))
    if not rules:
        return None
    try:
        host = (urlsplit(base_url).hostname or "").rstrip(".")
    except ValueError:
        host = ""
    if host and any(_matches(host, rule) for rule in rules):
        return None
    return (
        f'host "{host}" is not one endpoints may call (allowed: '
        f"{', '.join(settings.ENDPOINT_HOSTS_ALLOWED)}; the operator sets "
        f"{HOSTS_SETTING})"
    )


def base_url_problem(base_url: str) -> str | None:
    return credentials_problem(base_url) or host_problem(base_url)


def check_endpoint(name: str, base_url: str, api_key_env: str) -> None:
    """Raise ``EndpointRefused`` unless the endpoint may be called now."""
    problem = base_url_problem(base_url)
    if problem is None and api_key_env:
        problem = key_env_problem(api_key_env)
        if problem:
            problem = f"api_key_env: {problem}"
    elif problem:
        problem = f"base_url: {problem}"
    if problem:
        raise EndpointRefused(f'endpoint "{name}" refused: {problem}')


def validate_host_rules() -> None:
    """Fail at start-up on a malformed host setting, not at the first call."""
    _host_rules(tuple(settings.ENDPOINT_HOSTS_ALLOWED))


def _host_rules(entries: tuple[str, ...]) -> list[str | Network]:
    rules: list[str | Network] = []
    for entry in entries:
        entry = entry.strip().lower().removeprefix("[").removesuffix("]")
        if "/" in entry:
            try:
                rules.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                raise ImproperlyConfigured(
                    f"{HOSTS_SETTING}: {entry!r} is not an IP network such as "
                    "10.0.0.0/8."
                ) from None
        elif entry:
            rules.append(entry)
    return rules


def _matches(host: str, rule: str | Network) -> bool:
    # Names are matched as written, never resolved: a DNS answer cannot widen
    # what the operator allowed. Networks match hosts written as IP addresses.
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if isinstance(rule, str):
        if address is not None:
            try:
                return address == ipaddress.ip_address(rule)
            except ValueError:
                return fnmatchcase(host, rule)
        return fnmatchcase(host.lower(), rule)
    return address is not None and address in rule
