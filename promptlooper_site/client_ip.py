"""The client address every throttle and lockout counts by.

``X-Forwarded-For`` is written by whoever sends the request, so it is only
believed behind ``PROMPTLOOPER_TRUSTED_PROXIES`` reverse proxies: each proxy
appends the address it received the request from, so with N trusted proxies
the Nth entry from the right is the last one a trusted proxy wrote. Anything
left of it is the client's own claim. With no trusted proxy (the default)
the socket's address is used and the header is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The address to throttle by (works on Django and DRF requests); None
    for a request that came from no socket (a test client's force_login)."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.PROMPTLOOPER_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not proxies or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote
    chosen = hops[-min(proxies, len(hops))]
    # Lockouts store it in an address column (inet on PostgreSQL): a
    # misconfigured proxy must not turn a malformed entry into an error.
    try:
        ipaddress.ip_address(chosen)
    except ValueError:
        return remote
    return chosen
