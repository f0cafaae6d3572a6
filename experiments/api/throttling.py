"""Throttles whose rates are read from settings at request time (DRF binds
its rate table at import, so settings overrides would not reach it)."""

from __future__ import annotations

from django.conf import settings
from rest_framework import throttling


class AnonThrottle(throttling.AnonRateThrottle):
    def get_rate(self) -> str:
        return settings.API_THROTTLE_ANON


class UserThrottle(throttling.UserRateThrottle):
    def get_rate(self) -> str:
        return settings.API_THROTTLE_USER


class AuthThrottle(throttling.AnonRateThrottle):
    """Token requests per client address: the brute-force target."""

    scope = "auth"

    def get_rate(self) -> str:
        return settings.API_THROTTLE_AUTH
