"""``manage.py check --deploy``: a production environment can satisfy every
deployment check, and the defaults keep local http://127.0.0.1:8400 working.

Each check runs manage.py in a subprocess, since settings are read from the
environment once at start-up. No database is touched: the URL only selects
the mode."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def production_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(
        PROMPTLOOPER_DATA_DIR=str(tmp_path),
        DATABASE_URL="postgres://looper@127.0.0.1:5432/looper",
        REDIS_URL="redis://127.0.0.1:6379/0",
        SECRET_KEY=secrets.token_urlsafe(50),
        PROMPTLOOPER_FERNET_KEYS="ZmRlMjU3YjVkZmE4NDQ0MWE0NjdiYWYxNzQzYmJmMjA=",
        ALLOWED_HOSTS="looper.example.com",
        # Behind one TLS-terminating proxy that sets X-Forwarded-Proto.
        PROMPTLOOPER_TRUSTED_PROXIES="1",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto=https",
        SECURE_SSL_REDIRECT="true",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
    )
    return env


def test_production_env_passes_check_deploy_without_warnings(production_env):
    result = _manage(production_env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_marks_cookies_secure_by_default(production_env):
    # Only what the operator must decide (HSTS, the redirect) is left to warn.
    for name in (
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
    ):
        del production_env[name]
    result = _manage(production_env, "check", "--deploy")
    warned = {
        line.split(")")[0] for line in result.stderr.splitlines() if "?: (" in line
    }
    assert warned == {"?: (security.W004", "?: (security.W008"}, result.stderr


def test_single_container_defaults_keep_plain_http(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")
    }
    env["PROMPTLOOPER_DATA_DIR"] = str(tmp_path)
    code = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_PROXY_SSL_HEADER, s.PROMPTLOOPER_TRUSTED_PROXIES)"
    )
    result = _manage(env, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    values = result.stdout.strip().splitlines()[-1].split()
    assert values == ["False", "False", "False", "0", "None", "0"]


def test_a_malformed_proxy_ssl_header_stops_start_up(production_env):
    production_env["SECURE_PROXY_SSL_HEADER"] = "X-Forwarded-Proto"
    result = _manage(production_env, "check")
    assert result.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER" in result.stderr
