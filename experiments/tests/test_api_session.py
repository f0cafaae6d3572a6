"""The dashboard's session endpoint (/api/auth/session/): sign in with a
password into a session cookie, CSRF-checked; who am I, with only my
projects; sign out; the login lockout applies as on every password login."""

from __future__ import annotations

import secrets

import pytest
from rest_framework.test import APIClient

from experiments.models import Membership, Project
from experiments.services.access import create_api_key

pytestmark = pytest.mark.django_db
SESSION = "/api/auth/session/"


def fresh_address() -> str:
    # Lockouts count per user name and address: each test its own address.
    return "10." + ".".join(str(1 + secrets.randbelow(250)) for _ in range(3))


class Browser:
    """A client that enforces CSRF as a browser's requests meet it, and sends
    the token from the cookie as the dashboard does."""

    def __init__(self, address: str | None = None) -> None:
        self.client = APIClient(enforce_csrf_checks=True)
        self.address = address or fresh_address()

    def token(self) -> str:
        if "csrftoken" not in self.client.cookies:
            self.get()
        return self.client.cookies["csrftoken"].value

    def get(self):
        return self.client.get(SESSION, REMOTE_ADDR=self.address)

    def sign_in(self, username: str, password: str, csrf: bool = True):
        headers = {"HTTP_X_CSRFTOKEN": self.token()} if csrf else {}
        body = {"username": username, "password": password}
        return self.client.post(SESSION, body, REMOTE_ADDR=self.address, **headers)

    def sign_out(self, csrf: bool = True):
        headers = {"HTTP_X_CSRFTOKEN": self.token()} if csrf else {}
        return self.client.delete(SESSION, REMOTE_ADDR=self.address, **headers)


def signed_out(browser: Browser) -> bool:
    reply = browser.get()
    assert reply.status_code == 200
    return reply.json() == {
        "signed_in": False,
        "username": "",
        "is_superuser": False,
        "projects": [],
    }


def test_signed_out_who_am_i_says_so_and_sets_the_csrf_cookie(db):
    # A 200, not a 401: the dashboard asks on every load, and an error
    # status would be logged in every signed-out visitor's browser console.
    browser = Browser()
    assert signed_out(browser)
    assert browser.client.cookies["csrftoken"].value


def test_signing_in_starts_a_session_that_says_who_i_am(alice, project):
    browser = Browser()
    reply = browser.sign_in("alice", "alice-pass-123")
    assert reply.status_code == 200
    assert reply.json() == {
        "signed_in": True,
        "username": "alice",
        "is_superuser": False,
        "projects": [{"id": project.pk, "name": "acme", "role": "owner"}],
    }
    assert reply.cookies["sessionid"]["httponly"]
    again = browser.get()
    assert again.status_code == 200 and again.json()["username"] == "alice"
    # The session reaches the rest of the API as well.
    listed = browser.client.get("/api/projects/", REMOTE_ADDR=browser.address)
    assert [p["name"] for p in listed.json()["results"]] == ["acme"]


def test_a_wrong_password_is_a_400_saying_so_and_signs_nobody_in(alice):
    browser = Browser()
    reply = browser.sign_in("alice", "not-her-password")
    assert reply.status_code == 400
    assert reply.json() == {
        "detail": "Wrong user name or password.",
        "errors": [{"path": "", "message": "Wrong user name or password."}],
    }
    assert signed_out(browser)


def test_an_unknown_user_and_an_inactive_one_get_the_same_answer(alice):
    alice.is_active = False
    alice.save()
    for username in ("alice", "nobody"):
        reply = Browser().sign_in(username, "alice-pass-123")
        assert reply.status_code == 400
        assert reply.json()["detail"] == "Wrong user name or password."


def test_a_missing_field_is_a_400_naming_it(alice):
    browser = Browser()
    reply = browser.client.post(
        SESSION,
        {"username": "alice"},
        REMOTE_ADDR=browser.address,
        HTTP_X_CSRFTOKEN=browser.token(),
    )
    assert reply.status_code == 400
    assert reply.json()["errors"] == [
        {"path": "password", "message": "This field is required."}
    ]


def test_signing_in_without_the_csrf_token_is_refused(alice):
    browser = Browser()
    reply = browser.sign_in("alice", "alice-pass-123", csrf=False)
    assert reply.status_code == 403
    assert "CSRF" in reply.json()["detail"]
    assert signed_out(browser)
    # A token that is not the cookie's is no better.
    browser.token()
    wrong = browser.client.post(
        SESSION,
        {"username": "alice", "password": "alice-pass-123"},
        REMOTE_ADDR=browser.address,
        HTTP_X_CSRFTOKEN="x" * 32,
    )
    assert wrong.status_code == 403
    assert signed_out(browser)


def test_repeated_failures_lock_the_name_even_with_the_right_password(
    alice, bob, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    browser = Browser()
    codes = [browser.sign_in("alice", "guess").status_code for _ in range(2)]
    assert codes == [400, 400]
    locked = browser.sign_in("alice", "guess")
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert "Too many failed logins" in locked.json()["detail"]
    right = browser.sign_in("alice", "alice-pass-123")
    assert right.status_code == 429
    assert signed_out(browser)
    # The lock is on alice at this address: bob here, alice elsewhere sign in.
    assert Browser(browser.address).sign_in("bob", "bob-pass-123").status_code == 200
    assert Browser().sign_in("alice", "alice-pass-123").status_code == 200


def test_signing_out_ends_the_session(alice, project):
    browser = Browser()
    assert browser.sign_in("alice", "alice-pass-123").status_code == 200
    # Signed in by the cookie, an unsafe request needs the token too.
    assert browser.sign_out(csrf=False).status_code == 403
    assert browser.get().status_code == 200
    assert browser.sign_out().status_code == 204
    assert signed_out(browser)
    # Signing out again is no error.
    assert browser.sign_out().status_code == 204


def test_who_am_i_lists_only_my_projects_with_my_role(
    alice, bob, carol, charlie, superuser, project
):
    zeta = Project.objects.create(name="zeta")
    Membership.objects.create(project=zeta, user=alice, role="owner")
    Membership.objects.create(project=zeta, user=carol, role="editor")
    Project.objects.create(name="hidden")

    def projects(user, password: str) -> list[tuple[str, str]]:
        reply = Browser().sign_in(user.username, password)
        assert reply.status_code == 200, reply.json()
        return [(p["name"], p["role"]) for p in reply.json()["projects"]]

    assert projects(alice, "alice-pass-123") == [("acme", "owner"), ("zeta", "owner")]
    assert projects(bob, "bob-pass-123") == [("acme", "editor")]
    assert projects(carol, "carol-pass-123") == [("acme", "viewer"), ("zeta", "editor")]
    assert projects(charlie, "charlie-pass-1") == []
    # Superusers act as owners everywhere.
    assert projects(superuser, "root-pass-123") == [
        ("acme", "owner"),
        ("hidden", "owner"),
        ("zeta", "owner"),
    ]


def test_who_am_i_with_an_api_key_shows_what_the_key_may_do(alice, project):
    Project.objects.create(name="zeta").memberships.create(user=alice, role="owner")
    _, key = create_api_key(alice, "dash", project, read_only=True)
    reply = APIClient().get(SESSION, HTTP_X_API_KEY=key)
    assert reply.status_code == 200
    assert reply.json()["projects"] == [
        {"id": project.pk, "name": "acme", "role": "viewer"}
    ]


def test_the_session_endpoint_is_in_the_schema(client):
    accept = "application/vnd.oai.openapi+json"
    schema = client.get("/api/schema/", HTTP_ACCEPT=accept).json()
    operations = schema["paths"]["/api/auth/session/"]
    assert set(operations) >= {"get", "post", "delete"}
    assert set(operations["get"]["responses"]) == {"200", "401"}  # 401: a bad key
    assert set(operations["post"]["responses"]) == {"200", "400", "403", "429"}
