"""Fixtures shared by every app's tests: users with roles, a project, the demo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Two test runs in one checkout at once (an editor's and a terminal's)
    must not share the SQLite test file: each gets its own, named by pid.
    PostgreSQL test databases are named by DATABASE_URL instead."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        name = Path(db["TEST"]["NAME"])
        db["TEST"]["NAME"] = str(name.with_stem(f"{name.stem}_{os.getpid()}"))


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "", "root-pass-123")


@pytest.fixture
def alice(django_user_model):
    """Owner of ``project``."""
    return django_user_model.objects.create_user("alice", password="alice-pass-123")


@pytest.fixture
def bob(django_user_model):
    """Editor of ``project``."""
    return django_user_model.objects.create_user("bob", password="bob-pass-123")


@pytest.fixture
def carol(django_user_model):
    """Viewer of ``project``."""
    return django_user_model.objects.create_user("carol", password="carol-pass-123")


@pytest.fixture
def charlie(django_user_model):
    """An outsider: member of no project."""
    return django_user_model.objects.create_user("charlie", password="charlie-pass-1")


@pytest.fixture
def project(alice, bob, carol):
    from experiments.models import Membership, Project

    project = Project.objects.create(name="acme")
    for user, role in ((alice, "owner"), (bob, "editor"), (carol, "viewer")):
        Membership.objects.create(project=project, user=user, role=role)
    return project


@pytest.fixture
def demo(db):
    """The demo project as ``make run`` loads it; its single-stage
    experiment (``entity-extraction``)."""
    from experiments.services.setup import load_demo

    return load_demo()[0]


@pytest.fixture
def test_db_env(django_db_setup) -> dict[str, str]:
    """Environment for a subprocess (manage.py, a worker) that must use the
    test database of this run, in whichever mode the suite runs."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{db['NAME']}"
    else:
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        url = f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url}


@pytest.fixture
def make_simulator():
    """Factory: ``make_simulator(latency_ms=20, rate429=0.5)`` starts an LLM
    simulator (``simulator.server``) on a free port; all stop at teardown.
    Latency defaults to 0 here so tests stay fast."""
    from simulator.server import SimulatorServer

    servers = []

    def make(**config):
        options = {"port": 0, "latency_ms": 0, "jitter_ms": 0, **config}
        server = SimulatorServer(**options).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def simulator(make_simulator):
    """A running LLM simulator with no latency and no faults: use
    ``.base_url``, ``.stats()``, ``.reset()``, ``.configure(**changes)``."""
    return make_simulator()


@pytest.fixture
def manage(test_db_env):
    """Run manage.py in a subprocess on this run's test database: real exit
    codes, real stdout and stderr."""

    def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(Path(__file__).parent / "manage.py"), *args],
            cwd=Path(__file__).parent,
            env=test_db_env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2's 1M rounds per user would dominate the permission tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _roomy_throttles(settings):
    # Tests call the API far faster than a person; the throttle test lowers it.
    settings.API_THROTTLE_ANON = settings.API_THROTTLE_USER = "100000/min"
    settings.API_THROTTLE_AUTH = "100000/min"
    settings.API_THROTTLE_AUTH_FAILURES = "100000/min"
    # Login lockouts (django-axes) live in the database, so a test's failed
    # logins vanish with its transaction; this only spares tests that fail
    # many logins on purpose. test_security_throttles lowers it again.
    settings.AXES_FAILURE_LIMIT = 1000
