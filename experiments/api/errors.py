"""Every API error in one shape, and domain exceptions mapped in one table:

    {"detail": "...", "errors": [{"path": "models[0].endpoint", "message": "..."}]}

``errors`` carries field paths for validation failures (spec errors use the
paths the CLI prints); views hold no try/except.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from experiments.dataset_io import DatasetFileError
from experiments.exceptions import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidRequest,
    NotFound,
)
from experiments.spec import SpecInvalid

logger = logging.getLogger(__name__)

# The most specific class listed wins; a DomainError subclass not listed
# answers as its nearest listed base, and DomainError itself is the caller's
# request refused (400): a domain refusal is never a 500.
STATUS: dict[type[DomainError], int] = {
    DomainError: status.HTTP_400_BAD_REQUEST,
    InvalidRequest: status.HTTP_400_BAD_REQUEST,
    NotFound: status.HTTP_404_NOT_FOUND,
    Forbidden: status.HTTP_403_FORBIDDEN,
    Conflict: status.HTTP_409_CONFLICT,
}


def status_of(exc: DomainError) -> int:
    """The HTTP status of a domain error, by its class's nearest listed base."""
    for kind in type(exc).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return status.HTTP_400_BAD_REQUEST  # unreachable: DomainError is listed


def exception_handler(exc: Exception, context: dict) -> Response | None:
    refused = _refused_request(exc)
    if refused is not None:
        return _response(*refused)
    if isinstance(exc, SpecInvalid):
        errors = [e.as_dict() for e in exc.errors]
        return _response(400, "The spec is not valid.", errors)
    if isinstance(exc, DatasetFileError):
        errors = [{"path": f"line {e.line}", "message": e.message} for e in exc.errors]
        return _response(400, str(exc).splitlines()[0], errors)
    if isinstance(exc, DomainError):
        return _response(status_of(exc), str(exc))
    if isinstance(exc, ProtectedError | RestrictedError):
        used_by = sorted({str(obj) for obj in exc.protected_objects})[:5]
        return _response(
            409,
            "It is still in use by: " + ", ".join(used_by) + "; delete those first.",
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten(exc.detail)
        detail = "; ".join(
            f"{e['path']}: {e['message']}" if e["path"] else e["message"]
            for e in errors[:5]
        )
        response.data = {"detail": detail, "errors": errors}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"]), "errors": []}
    return response


def _refused_request(exc: Exception) -> tuple[int, str] | None:
    """Requests Django refuses while reading them (too big, too many fields),
    and input nested past what the code can walk: the caller's fault, 4xx."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return 413, f"The request body is larger than the limit of {limit} bytes."
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return 400, "The request has too many fields or files."
    if isinstance(exc, SuspiciousOperation):
        return 400, "The request could not be read."
    if isinstance(exc, RecursionError):
        # A last line behind the parsers' depth limit (e.g. a form field's JSON).
        logger.warning("Request refused: input nested too deeply (%s)", exc)
        return 400, "The input is nested too deeply."
    return None


def flatten(detail: Any, path: str = "") -> list[dict[str, str]]:
    """DRF's nested error detail as a list of {path, message}."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            if key == "non_field_errors":
                out += flatten(value, path)
            elif isinstance(key, int) or str(key).isdigit():
                out += flatten(value, f"{path}[{key}]")
            else:
                out += flatten(value, f"{path}.{key}" if path else str(key))
        return out
    if isinstance(detail, list):
        if all(not isinstance(v, dict | list) for v in detail):
            return [{"path": path, "message": str(v)} for v in detail]
        out = []
        for index, value in enumerate(detail):
            out += flatten(value, f"{path}[{index}]")
        return out
    return [{"path": path, "message": str(detail)}]


def _response(code: int, detail: str, errors: list | None = None) -> Response:
    return Response({"detail": detail, "errors": errors or []}, status=code)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: a request Django refuses before any view runs (too big,
    unreadable) answers in the API's shape under /api/."""
    if request.path_info.startswith("/api/"):
        code, detail = _refused_request(exception) or (400, "Bad request.")
        return JsonResponse({"detail": detail, "errors": []}, status=code)
    return defaults.bad_request(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: a URL no route matches (``/api/prompts/x/``) answers in
    the API's shape under /api/, with Django's page elsewhere."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "errors": []}, status=404)
    return defaults.page_not_found(request, exception)
