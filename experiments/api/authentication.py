from __future__ import annotations

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework_simplejwt import authentication as simplejwt

from experiments.api.throttling import record_rejection, refuse_if_blocked
from experiments.services.access import authenticate_api_key


class JWTAuthentication(simplejwt.JWTAuthentication):
    """``Authorization: Bearer <access token>``; rejected tokens count
    against the caller's address (``throttling.refuse_if_blocked``)."""

    def authenticate(self, request):
        header = self.get_header(request)
        if header is None or self.get_raw_token(header) is None:
            return None
        refuse_if_blocked(request)
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            record_rejection(request)
            raise


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """``Authorization: Api-Key <key>`` or ``X-API-Key: <key>``. The request
    acts as the key's user; ``request.auth`` is the ApiKey."""

    keyword = "Api-Key"

    def authenticate(self, request):
        key = request.META.get("HTTP_X_API_KEY", "")
        header = authentication.get_authorization_header(request).decode(
            "latin-1", "replace"
        )
        scheme, _, value = header.partition(" ")
        if scheme.lower() == self.keyword.lower():
            key = value.strip()
        elif not key:
            return None
        refuse_if_blocked(request)
        api_key = authenticate_api_key(key.strip())
        if api_key is None:
            record_rejection(request)
            raise exceptions.AuthenticationFailed(
                "Invalid, revoked or expired API key."
            )
        return api_key.user, api_key

    def authenticate_header(self, request) -> str:
        return self.keyword


class JWTScheme(SimpleJWTScheme):
    # The same "jwtAuth" scheme simplejwt's own class documents.
    target_class = JWTAuthentication


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-API-Key"}
