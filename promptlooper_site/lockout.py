"""The answer to a locked-out password login (django-axes'
``AXES_LOCKOUT_CALLABLE``): 429 with ``Retry-After``, in the API's error shape
under /api/ and as plain text on the admin's login page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

MESSAGE = (
    "Too many failed logins for this user name from this address; "
    "try again in {minutes} minutes."
)


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    message = MESSAGE.format(minutes=max(1, round(seconds / 60)))
    if request.path_info.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": message, "errors": []}, status=429
        )
    else:
        response = HttpResponse(message, status=429, content_type="text/plain")
    response["Retry-After"] = str(seconds)
    return response
