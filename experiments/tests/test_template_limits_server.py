"""A real daphne server stays responsive while a validate request renders a
slow template, and that request ends in a field error, not a hang or a 500."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

SETUP = """
from django.contrib.auth.models import User
from experiments.models import Membership, Project
user = User.objects.create_user("tess", password="tess-Password-123")
project = Project.objects.create(name="acme")
Membership.objects.create(project=project, user=user, role="owner")
"""
# Runs until the render deadline: the loop budget is lifted for this server.
SLOW = (
    "{% for i in range(100000) %}{% for j in range(100000) %}{{ '' }}"
    "{% endfor %}{% endfor %}"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path):
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(
        PROMPTLOOPER_DATA_DIR=str(tmp_path),
        PROMPTLOOPER_TEMPLATE_MAX_RENDER_MS="3000",
        PROMPTLOOPER_TEMPLATE_MAX_LOOP_ITERATIONS=str(10**12),
    )
    manage = [sys.executable, str(REPO / "manage.py")]
    for args in (["migrate", "--noinput"], ["shell", "-c", SETUP]):
        subprocess.run(
            manage + args, env=env, cwd=REPO, check=True, capture_output=True
        )
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "promptlooper_site.asgi:application",
        ],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/admin/login/", timeout=2).status_code == 200:
                    break
            assert proc.poll() is None, "daphne exited early"
            time.sleep(0.25)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def test_server_answers_others_while_a_slow_template_validates(server):
    token = httpx.post(
        f"{server}/api/auth/token/",
        json={"username": "tess", "password": "tess-Password-123"},
        timeout=10,
    ).json()["access"]
    headers = {"Authorization": f"Bearer {token}"}
    spec = {
        "name": "slow",
        "project": "acme",
        "endpoints": [{"name": "local", "base_url": "http://127.0.0.1:9/v1"}],
        "dataset": {"items": [{"input": {"q": "1"}}]},
        "prompts": [{"name": "p", "template": SLOW}],
        "models": [{"endpoint": "local", "model": "m"}],
    }
    finished: list[str] = []
    replies: dict[str, httpx.Response] = {}

    def call(name: str, method: str, path: str, **kwargs) -> None:
        reply = httpx.request(
            method, f"{server}{path}", headers=headers, timeout=60, **kwargs
        )
        replies[name] = reply
        finished.append(name)

    slow = threading.Thread(
        target=call,
        args=("validate", "POST", "/api/experiments/validate/"),
        kwargs={"json": spec},
    )
    slow.start()
    time.sleep(0.5)  # let the validate request start rendering
    call("list", "GET", "/api/projects/")
    slow.join(timeout=60)
    assert finished == ["list", "validate"]
    assert replies["list"].status_code == 200
    body = replies["validate"]
    assert body.status_code == 200, body.text  # validate reports, never 500s
    data = body.json()
    assert data["valid"] is False
    errors = {e["path"]: e["message"] for e in data["errors"]}
    assert "PROMPTLOOPER_TEMPLATE_MAX_RENDER_MS" in errors["prompts[0].template"]
