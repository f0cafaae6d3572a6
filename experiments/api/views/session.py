"""The dashboard's sign-in: a Django session cookie, with CSRF protection.

The single-page app cannot keep a JWT safe from scripts, so it signs in
with a password into an HttpOnly session cookie and sends Django's CSRF
token (the ``csrftoken`` cookie, which ``GET`` sets) as ``X-CSRFToken`` on
unsafe requests. DRF checks CSRF only for requests already signed in; the
sign-in itself is checked here, so another site cannot sign a browser into
an account of its choosing (login CSRF)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from experiments.api.base import api_key_of
from experiments.api.serializers.common import ErrorSerializer
from experiments.api.serializers.session import LoginSerializer, SessionSerializer
from experiments.api.throttling import AuthThrottle
from experiments.services.access import visible_projects_with_roles
from promptlooper_site.lockout import MESSAGE

WRONG_CREDENTIALS = "Wrong user name or password."


def _session(request) -> dict:
    user = request.user
    if not user.is_authenticated:
        signed_out = {"signed_in": False, "username": "", "is_superuser": False}
        return SessionSerializer({**signed_out, "projects": []}).data
    return SessionSerializer(
        {
            "signed_in": True,
            "username": user.get_username(),
            "is_superuser": user.is_superuser,
            "projects": visible_projects_with_roles(user, api_key_of(request)),
        }
    ).data


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


@method_decorator(ensure_csrf_cookie, name="dispatch")
class SessionView(APIView):
    """Who is signed in (``GET``), sign in (``POST``), sign out
    (``DELETE``). Every answer sets the ``csrftoken`` cookie."""

    # Signed out is an answer, not an error: the dashboard asks on every
    # load, and a 401 there would be an error in every visitor's console.
    permission_classes = [permissions.AllowAny]

    def get_throttles(self) -> list:
        throttles = super().get_throttles()
        if self.request.method == "POST":  # the password guesser's door
            throttles.append(AuthThrottle())
        return throttles

    @extend_schema(
        responses={
            200: SessionSerializer,
            401: _error("A wrong API key or token was sent."),
        },
    )
    def get(self, request) -> Response:
        """You, and the projects you can see with your role in each; signed
        out, ``signed_in`` is false (the ``csrftoken`` cookie is set either
        way)."""
        return Response(_session(request))

    @extend_schema(
        request=LoginSerializer,
        responses={
            200: SessionSerializer,
            400: _error("Wrong user name or password (or an inactive user)."),
            403: _error("No or a wrong CSRF token."),
            429: _error("Locked out after repeated failures, or throttled."),
        },
        auth=[],
    )
    def post(self, request) -> Response:
        """Sign in with a user name and password: a session cookie for the
        dashboard. Needs the ``X-CSRFToken`` header with the ``csrftoken``
        cookie's value. Failed attempts count towards the login lockout."""
        SessionAuthentication().enforce_csrf(request)
        body = LoginSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # The request goes to django-axes, which refuses a locked-out name.
        user = authenticate(request=request, **body.validated_data)
        if getattr(request, "axes_locked_out", False):
            seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
            raise exceptions.Throttled(
                wait=seconds,
                detail=MESSAGE.format(minutes=max(1, round(seconds / 60))),
            )
        if user is None:
            raise exceptions.ValidationError(WRONG_CREDENTIALS)
        login(request, user)
        return Response(_session(request))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request) -> Response:
        """Sign out: end the session. Signed out already, nothing to do."""
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)
