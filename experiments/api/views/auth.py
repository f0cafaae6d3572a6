"""The token endpoint, answering a locked-out login with 429.

django-axes marks a locked-out login on the request it was handed, which
here is DRF's wrapper, so its middleware never sees the mark: without this
the lockout would look like a wrong password (401)."""

from __future__ import annotations

from django.conf import settings
from rest_framework import exceptions
from rest_framework_simplejwt.views import TokenObtainPairView

from promptlooper_site.lockout import MESSAGE


class TokenObtainView(TokenObtainPairView):
    def handle_exception(self, exc):
        if getattr(self.request, "axes_locked_out", False):
            seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
            exc = exceptions.Throttled(
                wait=seconds,
                detail=MESSAGE.format(minutes=max(1, round(seconds / 60))),
            )
        return super().handle_exception(exc)
