"""End-to-end tests of ``manage.py runstack``: real daphne, real qcluster.

Each run gets its own SQLite data dir, so nothing touches the developer's
database. Every process started here carries that dir in its environment,
which is how cleanup finds (and kills) stragglers even if a test fails early.
"""

from __future__ import annotations

import base64
import contextlib
import os
import pickle
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
MANAGE_PY = str(REPO_ROOT / "manage.py")

pytestmark = pytest.mark.slow


@dataclass
class Proc:
    pid: int
    ppid: int
    pgid: int
    state: str
    cmdline: str


def _processes() -> list[Proc]:
    procs = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue  # exited while we looked
        # The command name in parentheses may contain spaces; fields follow it.
        state, ppid, pgid = stat[stat.rindex(")") + 2 :].split()[:3]
        procs.append(Proc(int(entry.name), int(ppid), int(pgid), state, cmdline))
    return procs


def _live_in_groups(pgids: set[int]) -> list[Proc]:
    # Zombies are dead, just not yet reaped by whoever adopted them.
    return [p for p in _processes() if p.pgid in pgids and p.state != "Z"]


def _pids_with_env(marker: bytes) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(condition, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; runstack log:\n{_tail(log)}")
        time.sleep(0.25)


def _tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-40:])


@pytest.fixture(scope="module")
def stack_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    data_dir = tmp_path_factory.mktemp("runstack-data")
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")
    }
    env["PROMPTLOOPER_DATA_DIR"] = str(data_dir)
    subprocess.run(
        [sys.executable, MANAGE_PY, "migrate", "--noinput"],
        env=env,
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return env


@dataclass
class Stack:
    proc: subprocess.Popen[bytes]
    port: int
    log: Path
    children: dict[str, Proc]  # "web" / "worker" -> the direct child process


@pytest.fixture
def stack(stack_env: dict[str, str], tmp_path: Path) -> Iterator[Stack]:
    port = _free_port()
    log = tmp_path / "runstack.log"
    marker = f"PROMPTLOOPER_DATA_DIR={stack_env['PROMPTLOOPER_DATA_DIR']}".encode()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                MANAGE_PY,
                "runstack",
                "--port",
                str(port),
                "--simulator-port",
                str(_free_port()),
                "--mcp-port",
                str(_free_port()),
            ],
            env=stack_env,
            cwd=REPO_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}/admin/login/"

        def web_ok() -> bool:
            if proc.poll() is not None:
                pytest.fail(f"runstack exited early:\n{_tail(log)}")
            try:
                return httpx.get(url, timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        _wait_for(web_ok, 60, url, log)
        children: dict[str, Proc] = {}
        for child in (p for p in _processes() if p.ppid == proc.pid):
            if "daphne" in child.cmdline:
                children["web"] = child
            elif "qcluster" in child.cmdline:
                children["worker"] = child
            elif "simulate_llm" in child.cmdline:
                children["simulator"] = child
            elif "mcp_server" in child.cmdline:
                children["mcp"] = child
        assert set(children) == {"web", "worker", "simulator", "mcp"}, children
        for child in children.values():
            assert child.pgid == child.pid, f"{child} is not its own group leader"
        yield Stack(proc, port, log, children)
    finally:
        # Whatever happened, no server may outlive the test.
        for pid in _pids_with_env(marker):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _run_manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, MANAGE_PY, *args],
        env=env,
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.stdout


def test_runstack_serves_runs_tasks_and_stops_cleanly(
    stack: Stack, stack_env: dict[str, str]
) -> None:
    worker = stack.children["worker"]
    # qcluster forks a sentinel, which forks pusher, monitor and worker(s).
    _wait_for(
        lambda: len(_live_in_groups({worker.pgid})) >= 4,
        30,
        "qcluster to fork its workers",
        stack.log,
    )

    code = "from django_q.tasks import async_task; print(async_task('math.floor', 3.7))"
    task_id = _run_manage(stack_env, "shell", "-c", code).strip().splitlines()[-1]
    db = Path(stack_env["PROMPTLOOPER_DATA_DIR"]) / "promptlooper.sqlite3"

    def task_done() -> bool:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            row = conn.execute(
                "SELECT func, success, result FROM django_q_task WHERE id = ?",
                (task_id,),
            ).fetchone()
        if row is None:
            return False
        func, success, result = row
        assert func == "math.floor"
        assert success, f"task failed: {result}"
        # django-picklefield stores base64(pickle(value)).
        assert pickle.loads(base64.b64decode(result)) == 3
        return True

    _wait_for(task_done, 60, f"task {task_id} to succeed", stack.log)

    # The API through daphne: its schema is public, its data is not.
    base = f"http://127.0.0.1:{stack.port}/api"
    assert httpx.get(f"{base}/schema/", timeout=10).status_code == 200
    assert httpx.get(f"{base}/projects/", timeout=10).status_code == 401

    groups = {child.pgid for child in stack.children.values()}
    stack.proc.send_signal(signal.SIGINT)
    assert stack.proc.wait(timeout=20) == 0, _tail(stack.log)
    assert _live_in_groups(groups) == []
    assert "PromptLooper is up: http://127.0.0.1:" in stack.log.read_text()
    assert "MCP server for agents: http://127.0.0.1:" in stack.log.read_text()


def test_runstack_stops_everything_when_a_child_dies(stack: Stack) -> None:
    groups = {child.pgid for child in stack.children.values()}
    os.killpg(stack.children["web"].pgid, signal.SIGKILL)
    assert stack.proc.wait(timeout=20) == 1, _tail(stack.log)
    assert _live_in_groups(groups) == []
    assert "web exited unexpectedly (signal 9)" in stack.log.read_text()
