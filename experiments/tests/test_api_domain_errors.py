"""Every domain error answers in the API's error shape with a status from
one table (experiments/api/errors.py): a subclass nobody listed answers as
its nearest listed base, and DomainError itself as a refused request (400).
Never a StopIteration, never a 500."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from experiments.api.errors import exception_handler
from experiments.exceptions import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidRequest,
    NotFound,
)


class QuotaExceeded(DomainError):
    """A domain error added later, not (yet) in the status table."""


class AlreadyFinished(Conflict):
    pass


def answer(exc: Exception):
    request = APIRequestFactory().post("/api/anything/")
    return exception_handler(exc, {"view": APIView(), "request": request})


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (QuotaExceeded("over the quota"), 400),
        (DomainError("refused"), 400),
        (InvalidRequest("name a filter"), 400),
        (AlreadyFinished("sweep 3 is completed"), 409),
        (NotFound("no such thing"), 404),
        (Forbidden("not yours"), 403),
        (Conflict("taken"), 409),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else "",
)
def test_every_domain_error_maps_to_a_status_in_the_error_shape(exc, status):
    response = answer(exc)
    assert response.status_code == status
    assert response.data == {"detail": str(exc), "errors": []}


def test_an_unlisted_domain_error_answers_400_through_a_real_view(client):
    @api_view(["GET"])
    @permission_classes([AllowAny])
    def quota(request):
        raise QuotaExceeded("you have used this month's calls")

    urlconf = type("urls", (), {"urlpatterns": [path("api/quota/", quota)]})
    with override_settings(ROOT_URLCONF=urlconf):
        response = client.get("/api/quota/")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "you have used this month's calls",
        "errors": [],
    }
