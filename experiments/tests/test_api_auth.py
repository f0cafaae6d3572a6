"""JWT, API keys and throttling, as a script would meet them."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from experiments.models import ApiKey
from experiments.models.apikeys import hash_key

pytestmark = pytest.mark.django_db


def test_jwt_obtain_use_refresh_and_verify(alice, project):
    client = APIClient()
    tokens = client.post(
        "/api/auth/token/", {"username": "alice", "password": "alice-pass-123"}
    ).json()
    assert set(tokens) == {"access", "refresh"}
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    names = [p["name"] for p in client.get("/api/projects/").json()["results"]]
    assert names == ["acme"]
    fresh = APIClient().post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert fresh.status_code == 200 and fresh.json()["access"]
    verify = APIClient().post("/api/auth/token/verify/", {"token": tokens["access"]})
    assert verify.status_code == 200


def test_wrong_password_and_expired_token_are_401(alice):
    bad = APIClient().post("/api/auth/token/", {"username": "alice", "password": "x"})
    assert bad.status_code == 401
    token = AccessToken.for_user(alice)
    token.set_exp(lifetime=-timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    expired = client.get("/api/projects/")
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"].lower() or "not valid" in str(
        expired.json()
    )
    verify = APIClient().post("/api/auth/token/verify/", {"token": str(token)})
    assert verify.status_code == 401


def test_unauthenticated_requests_get_401_with_a_challenge():
    response = APIClient().get("/api/projects/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def _as(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


def test_api_key_is_shown_once_and_stored_hashed(alice, project):
    created = _as(alice).post("/api/api-keys/", {"name": "ci", "project": project.pk})
    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith("plk_") and created.json()["prefix"] in key
    stored = ApiKey.objects.get()
    assert stored.key_hash == hash_key(key)
    for value in ApiKey.objects.values_list():  # no column holds the key
        assert key not in [str(v) for v in value]
    listed = _as(alice).get("/api/api-keys/").json()["results"]
    assert "key" not in listed[0] and listed[0]["name"] == "ci"

    for header in ({"HTTP_AUTHORIZATION": f"Api-Key {key}"}, {"HTTP_X_API_KEY": key}):
        client = APIClient()
        client.credentials(**header)
        response = client.get("/api/projects/")
        assert [p["name"] for p in response.json()["results"]] == ["acme"]
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_revoked_expired_and_unknown_keys_are_401(alice, project):
    key = _as(alice).post("/api/api-keys/", {"name": "k"}).json()
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key["key"])
    assert client.get("/api/projects/").status_code == 200
    assert _as(alice).delete(f"/api/api-keys/{key['id']}/").status_code == 204
    assert client.get("/api/projects/").status_code == 401
    assert _as(alice).get(f"/api/api-keys/{key['id']}/").json()["revoked"] is True

    other = _as(alice).post(
        "/api/api-keys/", {"name": "old", "expires_at": "2000-01-01T00:00:00Z"}
    )
    client.credentials(HTTP_X_API_KEY=other.json()["key"])
    assert client.get("/api/projects/").status_code == 401
    client.credentials(HTTP_X_API_KEY="plk_00000000_made-up")
    response = client.get("/api/projects/")
    assert response.status_code == 401 and "API key" in response.json()["detail"]


def test_keys_belong_to_their_user(alice, charlie, project):
    key = _as(alice).post("/api/api-keys/", {"name": "mine"}).json()
    assert _as(charlie).get(f"/api/api-keys/{key['id']}/").status_code == 404
    assert _as(charlie).delete(f"/api/api-keys/{key['id']}/").status_code == 404
    assert _as(charlie).get("/api/api-keys/").json()["count"] == 0


def test_token_endpoint_is_throttled(alice, settings):
    settings.API_THROTTLE_AUTH = "3/min"
    client = APIClient()
    # Counters are per client address and outlive a test: use a fresh one.
    address = "10." + ".".join(str(secrets.randbelow(250)) for _ in range(3))
    body = {"username": "alice", "password": "guess"}
    codes = [
        client.post("/api/auth/token/", body, REMOTE_ADDR=address).status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]


def test_browsable_api_and_docs_with_a_session(client, alice, project):
    assert client.get("/api/auth/login/").status_code == 200
    # The login form, not client.login(): django-axes needs the request.
    login = {"username": "alice", "password": "alice-pass-123"}
    assert client.post("/api/auth/login/", login).status_code == 302
    page = client.get("/api/projects/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and b"acme" in page.content
    assert b"swagger" in client.get("/api/docs/").content.lower()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert "/api/sweeps/{id}/leaderboard/" in schema.json()["paths"]
