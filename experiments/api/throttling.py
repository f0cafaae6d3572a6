"""Throttles whose rates are read from settings at request time (DRF binds
its rate table at import, so settings overrides would not reach it), all
counting by ``client_address`` (proxies are trusted only as configured), and
the guard against guessing API keys and bearer tokens."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework import exceptions, throttling

from promptlooper_site.client_ip import client_address
from promptlooper_site.env import parse_rate


class _ByClientAddress:
    def get_ident(self, request) -> str | None:
        return client_address(request)


class AnonThrottle(_ByClientAddress, throttling.AnonRateThrottle):
    def get_rate(self) -> str:
        return settings.API_THROTTLE_ANON


class UserThrottle(_ByClientAddress, throttling.UserRateThrottle):
    def get_rate(self) -> str:
        return settings.API_THROTTLE_USER


class AuthThrottle(_ByClientAddress, throttling.AnonRateThrottle):
    """Token requests per client address: the brute-force target."""

    scope = "auth"

    def get_rate(self) -> str:
        return settings.API_THROTTLE_AUTH


# --- Rejected API keys and bearer tokens ---------------------------------------
# A fixed window per address opens at its first rejection. Once it holds
# API_THROTTLE_AUTH_FAILURES rejections, every key or token from the address
# is refused with 429 until the window ends: letting a correct one through
# would tell a guesser which guess was right.

_PREFIX = "credential-failures:"


def _keys(request) -> tuple[str, str]:
    key = _PREFIX + (client_address(request) or "unknown")
    return key, key + ":until"


def refuse_if_blocked(request) -> None:
    """Raise ``Throttled`` (429, Retry-After) while the caller's address is
    over its limit of rejected credentials."""
    limit, period = parse_rate(settings.API_THROTTLE_AUTH_FAILURES)
    count_key, until_key = _keys(request)
    if (cache.get(count_key) or 0) < limit:
        return
    until = cache.get(until_key)
    wait = max(1, int(until - time.time()) + 1) if until else period
    raise exceptions.Throttled(
        wait=wait,
        detail="Too many rejected API keys or tokens from this address.",
    )


def record_rejection(request) -> None:
    _, period = parse_rate(settings.API_THROTTLE_AUTH_FAILURES)
    count_key, until_key = _keys(request)
    # add + incr: atomic on Redis, so parallel guesses are all counted.
    if cache.add(count_key, 1, period):
        cache.set(until_key, time.time() + period, period)
        return
    try:
        cache.incr(count_key)
    except ValueError:  # the window ended between add and incr
        cache.set(count_key, 1, period)
        cache.set(until_key, time.time() + period, period)
