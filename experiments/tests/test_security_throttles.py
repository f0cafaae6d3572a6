"""Every way of proving identity is throttled per client address, and that
address cannot be chosen by the client: X-Forwarded-For counts only behind
configured proxies (PROMPTLOOPER_TRUSTED_PROXIES)."""

from __future__ import annotations

import secrets
import time

import pytest
from django.test import Client
from rest_framework.test import APIClient

from experiments.services.access import create_api_key

pytestmark = pytest.mark.django_db


def fresh_address() -> str:
    # Throttle counters live in the cache and outlive a test (and, on Redis,
    # a run): every test counts from an address of its own.
    return "10." + ".".join(str(1 + secrets.randbelow(250)) for _ in range(3))


@pytest.fixture
def login_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return 3


def _token(client: APIClient, address: str, password: str, **extra):
    body = {"username": "alice", "password": password}
    return client.post("/api/auth/token/", body, REMOTE_ADDR=address, **extra)


def test_spoofed_forwarded_for_does_not_reset_the_token_throttle(alice, settings):
    settings.API_THROTTLE_AUTH = "3/min"
    client, address = APIClient(), fresh_address()
    codes = [
        _token(
            client, address, "guess", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"
        ).status_code
        for n in range(4)
    ]
    assert codes == [401, 401, 401, 429]


def test_forwarded_for_counts_behind_one_trusted_proxy(alice, settings):
    settings.API_THROTTLE_AUTH = "3/min"
    settings.PROMPTLOOPER_TRUSTED_PROXIES = 1
    client, proxy = APIClient(), fresh_address()
    someone, other = fresh_address(), fresh_address()
    # What the client claims (left of the proxy's entry) is ignored.
    codes = [
        _token(
            client, proxy, "guess", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, {someone}"
        ).status_code
        for n in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    # Another client behind the same proxy has its own budget.
    reply = _token(client, proxy, "guess", HTTP_X_FORWARDED_FOR=other)
    assert reply.status_code == 401


def test_a_malformed_forwarded_entry_counts_as_the_proxy(alice, settings):
    # Two proxies configured, one in front: the entry believed is the
    # client's own, here no address at all. It must not become a 500 (the
    # lockout table stores addresses; inet on PostgreSQL).
    settings.PROMPTLOOPER_TRUSTED_PROXIES = 2
    settings.API_THROTTLE_AUTH = "2/min"
    client, proxy = APIClient(), fresh_address()
    codes = [
        _token(client, proxy, "guess", HTTP_X_FORWARDED_FOR=f"x{n}").status_code
        for n in range(3)
    ]
    assert codes == [401, 401, 429]


def _assert_locked(response, api: bool) -> None:
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    if api:
        body = response.json()
        assert set(body) == {"detail", "errors"} and "Too many" in body["detail"]


def test_session_login_locks_the_user_name_at_one_address(alice, bob, login_limit):
    client, address = Client(), fresh_address()

    def login(username: str, password: str, at: str = address, **extra):
        return client.post(
            "/api/auth/login/",
            {"username": username, "password": password},
            REMOTE_ADDR=at,
            **extra,
        )

    # A spoofed X-Forwarded-For does not make each guess come from elsewhere.
    codes = [
        login("alice", "guess", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(login_limit - 1)
    ]
    assert codes == [200] * (login_limit - 1)  # the form again, with an error
    _assert_locked(login("alice", "guess"), api=True)
    # Locked: even the right password is refused until the cool-off ends.
    _assert_locked(login("alice", "alice-pass-123"), api=True)
    # The lock is on alice at this address, not on the address or on alice.
    assert login("bob", "bob-pass-123").status_code == 302
    assert (
        Client()
        .post(
            "/api/auth/login/",
            {"username": "alice", "password": "alice-pass-123"},
            REMOTE_ADDR=fresh_address(),
        )
        .status_code
        == 302
    )


def test_admin_login_locks_after_repeated_failures(superuser, login_limit):
    client, address = Client(), fresh_address()
    form = {"username": "root", "password": "guess", "next": "/admin/"}
    codes = [
        client.post("/admin/login/", form, REMOTE_ADDR=address).status_code
        for _ in range(login_limit - 1)
    ]
    assert codes == [200] * (login_limit - 1)
    _assert_locked(client.post("/admin/login/", form, REMOTE_ADDR=address), api=False)
    right = {**form, "password": "root-pass-123"}
    locked = client.post("/admin/login/", right, REMOTE_ADDR=address)
    _assert_locked(locked, api=False)
    assert client.get("/admin/", REMOTE_ADDR=address).status_code == 302  # not in


def test_token_endpoint_locks_the_user_name_after_repeated_failures(alice, login_limit):
    client, address = APIClient(), fresh_address()
    codes = [
        _token(client, address, "guess").status_code for _ in range(login_limit - 1)
    ]
    assert codes == [401] * (login_limit - 1)
    _assert_locked(_token(client, address, "guess"), api=True)
    _assert_locked(_token(client, address, "alice-pass-123"), api=True)
    assert _token(client, fresh_address(), "alice-pass-123").status_code == 200


@pytest.fixture
def three_rejections(settings):
    settings.API_THROTTLE_AUTH_FAILURES = "3/min"


def _get(credentials: dict, address: str, **extra):
    client = APIClient()
    client.credentials(**credentials)
    return client.get("/api/projects/", REMOTE_ADDR=address, **extra)


def test_failed_api_keys_from_one_address_get_429(alice, project, three_rejections):
    _, key = create_api_key(alice, "script")
    address = fresh_address()
    guesses = [
        {"HTTP_X_API_KEY": "plk_00000000_guess-1"},
        {"HTTP_AUTHORIZATION": "Api-Key plk_00000000_guess"},
        {"HTTP_AUTHORIZATION": "Api-Key not-even-a-key"},
    ]
    codes = [
        _get(guess, address, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n, guess in enumerate(guesses)
    ]
    assert codes == [401, 401, 401]
    # Past the limit the right key is refused too: a 200 would reveal a hit.
    _assert_locked(_get({"HTTP_X_API_KEY": key}, address), api=True)
    assert _get({"HTTP_X_API_KEY": key}, fresh_address()).status_code == 200


def test_failed_bearer_tokens_from_one_address_get_429(
    alice, project, three_rejections
):
    address = fresh_address()
    bad = [{"HTTP_AUTHORIZATION": f"Bearer not.a.token{n}"} for n in range(3)]
    assert [_get(b, address).status_code for b in bad] == [401, 401, 401]
    good = APIClient().post(
        "/api/auth/token/",
        {"username": "alice", "password": "alice-pass-123"},
        REMOTE_ADDR=address,
    )
    access = {"HTTP_AUTHORIZATION": f"Bearer {good.json()['access']}"}
    _assert_locked(_get(access, address), api=True)
    assert _get(access, fresh_address()).status_code == 200


def test_rejections_count_per_proxied_client_with_a_trusted_proxy(
    alice, project, three_rejections, settings
):
    settings.PROMPTLOOPER_TRUSTED_PROXIES = 1
    proxy, someone, other = fresh_address(), fresh_address(), fresh_address()
    guess = {"HTTP_X_API_KEY": "plk_00000000_guess"}
    for _ in range(3):
        _get(guess, proxy, HTTP_X_FORWARDED_FOR=someone)
    assert _get(guess, proxy, HTTP_X_FORWARDED_FOR=someone).status_code == 429
    assert _get(guess, proxy, HTTP_X_FORWARDED_FOR=other).status_code == 401


def test_a_blocked_address_may_try_again_once_its_window_ends(alice, project, settings):
    settings.API_THROTTLE_AUTH_FAILURES = "2/second"
    _, key = create_api_key(alice, "script")
    address = fresh_address()
    for _ in range(2):
        _get({"HTTP_X_API_KEY": "plk_00000000_guess"}, address)
    assert _get({"HTTP_X_API_KEY": key}, address).status_code == 429
    time.sleep(1.1)
    assert _get({"HTTP_X_API_KEY": key}, address).status_code == 200


def test_requests_without_credentials_are_not_counted(alice, three_rejections):
    address = fresh_address()
    codes = [_get({}, address).status_code for _ in range(5)]
    assert codes == [401] * 5


def test_session_login_lands_on_the_api_root(alice):
    client = Client()
    response = client.post(
        "/api/auth/login/",
        {"username": "alice", "password": "alice-pass-123"},
        REMOTE_ADDR=fresh_address(),
    )
    assert response.status_code == 302 and response["Location"] == "/api/"
    assert client.get(response["Location"], HTTP_ACCEPT="text/html").status_code == 200
