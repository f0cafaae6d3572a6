"""Fixtures of the live tests: a real daphne on this run's test database and
the API tests' small world (project "acme" with a sweep, "zeta", keys)."""

from __future__ import annotations

import pytest
from rest_framework_simplejwt.tokens import RefreshToken

from experiments.live.tests.helpers import Web
from experiments.tests.api_helpers import build_world


@pytest.fixture
def web(test_db_env):
    server = Web(test_db_env).start()
    yield server
    server.kill()


@pytest.fixture
def world(alice, bob, carol, charlie, project):
    return build_world(alice, bob, carol, charlie, project)


@pytest.fixture
def token():
    """``token(user)``: an access token of the API's JWTs."""
    return lambda user: str(RefreshToken.for_user(user).access_token)
