"""Schemathesis over the whole API: every operation of /api/schema/, called
in-process through the WSGI app as a project owner with generated (valid and
invalid) input, must answer without a server error; where it documents the
status, with the documented content type and a body that matches the schema;
and every 4xx in the API's error shape.

Each generated request runs inside a savepoint that is rolled back, so every
example starts from the same world (one of every object, ``build_world``)
whatever the previous one deleted or changed.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from experiments.models import ApiKey, Sweep
from experiments.services.promotions import promote_config
from experiments.tests.api_helpers import build_world

pytestmark = pytest.mark.django_db


@schemathesis.check
def error_shape(ctx, response, case) -> None:
    """Every 4xx says what went wrong in the one shape of experiments/api/errors.py:
    {"detail": "...", "errors": [{"path": "...", "message": "..."}]}."""
    if not 400 <= response.status_code < 500:
        return
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/json"), (
        f"{response.status_code} answered with {content_type or 'no content type'}"
    )
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"detail", "errors"}, body
    assert isinstance(body["detail"], str), body
    assert isinstance(body["errors"], list), body
    for error in body["errors"]:
        assert isinstance(error, dict) and set(error) == {"path", "message"}, body
        assert all(isinstance(value, str) for value in error.values()), body


CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    error_shape,
]

# Which world object a path's ``{id}`` names, by the path's first segment.
ID_OF = {
    "api-keys": "api_key",
    "datasets": "dataset",
    "endpoints": "endpoint",
    "experiments": "experiment",
    "projects": "project",
    "prompts": "prompt",
    "runs": "run",
    "sweeps": "sweep",
}


@pytest.fixture
def world(alice, bob, carol, charlie, project):
    world = build_world(alice, bob, carol, charlie, project)
    world.ids["api_key"] = ApiKey.objects.get(user=alice, name="own").pk
    # One promotion for the deployment and history routes; the sweep stays
    # queued for the steering routes.
    sweep = Sweep.objects.get(pk=world.ids["sweep"])
    done = sweep.runs.filter(status="done").first()
    Sweep.objects.filter(pk=sweep.pk).update(status="completed")
    sweep.refresh_from_db()
    promote_config(sweep, done.config_hash, "production")
    Sweep.objects.filter(pk=sweep.pk).update(status="queued")
    return world


@pytest.fixture(autouse=True)
def _keep_test_connection():
    # Django's test client does the same: the requests run inside the test's
    # transaction, which closing "old" connections at each request would end.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _no_long_polls(monkeypatch):
    # GET /api/sweeps/{id}/events/ would wait up to 25 s per example for an
    # event that never comes; its wait is tested on a real server instead
    # (experiments/live/tests/test_live_polling.py).
    monkeypatch.setattr("experiments.live.longpoll.MAX_WAIT_S", 0.0)


@pytest.fixture
def auth_headers(world):
    token = RefreshToken.for_user(world.users["owner"]).access_token
    return {"Authorization": f"Bearer {token}"}


# Loaded at import (collection) so that each operation is its own test; making
# the schema needs no database. (``schemathesis.pytest.from_fixture`` would
# load it per test, but its runner breaks on pytest 9's node ids.) The
# conftest's roomy throttles are not in force yet at collection.
with override_settings(API_THROTTLE_ANON="100000/min"):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


def use_real_objects(case, world) -> None:
    """Point the path and the body's references at objects that exist:
    generated ids are almost never there, which would test only the 404s
    and the "no such project" 400s."""
    params = case.path_parameters or {}
    resource = case.path.split("/")[2]
    if "id" in params:
        params["id"] = world.ids[ID_OF[resource]]
    if "sweep_pk" in params:
        params["sweep_pk"] = world.ids["sweep"]
    if "other" in params:  # sweep against sweep: the world has one
        params["other"] = world.ids["sweep"]
    for name in ("number", "a", "b"):  # the prompt has versions 1 and 2
        if name in params:
            params[name] = 1 if name == "a" else 2
    if "username" in params:
        params["username"] = world.users["editor"].username
    if resource == "deployments":  # by names: the world's promoted label
        params.update(project="acme", experiment="engine-test", label="production")
    if isinstance(case.body, dict):
        for name in ("project", "experiment", "endpoint"):
            if name in case.body:
                case.body[name] = world.ids[name]
        if "username" in case.body:
            case.body["username"] = world.users["outsider"].username


@settings(
    max_examples=25,  # requests per operation: about 30 s for all of them
    deadline=None,
    # CI replays the same inputs each run; elsewhere each run tries new ones.
    derandomize=bool(os.environ.get("CI")),
    # The world fixture is shared by an operation's examples on purpose: each
    # example's writes are rolled back.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@schema.parametrize()
@schema.given(use_world=st.booleans())
def test_every_operation_answers_as_documented_and_in_the_error_shape(
    case, use_world, world, auth_headers
):
    if use_world:
        use_real_objects(case, world)
    with transaction.atomic():
        case.call_and_validate(headers=auth_headers, checks=CHECKS)
        transaction.set_rollback(True)
