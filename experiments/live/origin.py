"""Which handshakes may come from which page.

Browsers always send ``Origin`` on a WebSocket, so a page of another site
that tries to use a signed-in user's session cookie is refused unless its
origin is one of ``ALLOWED_HOSTS`` (Channels' ``AllowedHostsOriginValidator``).
Scripts and agents send no ``Origin``; they authenticate with a token or an
API key, which another site's page cannot borrow, so they are let through
here and ``auth`` decides.
"""

from __future__ import annotations

from typing import Any

from channels.security.websocket import OriginValidator
from django.conf import settings


class BrowserOriginValidator(OriginValidator):
    def valid_origin(self, parsed_origin: Any) -> bool:
        if parsed_origin is None:
            return True
        return super().valid_origin(parsed_origin)


def browser_origin_validator(application: Any) -> BrowserOriginValidator:
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = ["localhost", "127.0.0.1", "[::1]"]
    return BrowserOriginValidator(application, allowed)
