"""A real daphne serving this run's test database, and a real WebSocket
client (``websockets``) that keeps what it receives."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from experiments.live.follower import Follower, follower

REPO = Path(__file__).resolve().parents[3]


def loop_follower() -> Follower:
    """This event loop's follower (the tests run without Redis)."""
    found = follower()
    assert found is not None, "no follower with REDIS_URL set"
    return found


ASGI_APP = "promptlooper_site.asgi:application"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Web:
    """``python -m daphne`` (as ``runstack`` starts it) in its own process
    group; ``restart()`` kills it as a crash would and starts it again on
    the same port."""

    def __init__(self, env: dict[str, str], port: int | None = None) -> None:
        self.env = {**env, "LOG_LEVEL": "WARNING"}
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws = f"ws://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Web:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port),
             ASGI_APP],
            cwd=REPO,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                httpx.get(f"{self.url}/admin/login/", timeout=2)
                return self
            assert self.proc.poll() is None, "daphne exited early"
            time.sleep(0.2)
        raise AssertionError("daphne did not answer within 60 s")

    def kill(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.proc = None

    def restart(self) -> None:
        self.kill()
        self.start()

    def api(self, token: str) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.url}/api",
            headers={"Authorization": f"Bearer {token}"},
            timeout=40,
        )


class Stream:
    """One WebSocket; a thread files every message it receives."""

    def __init__(self, conn: ClientConnection) -> None:
        self.conn = conn
        self.messages: list[dict] = []
        self.received_at: list[float] = []  # time.time() of each message
        self.closed = threading.Event()
        self.lock = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            for text in self.conn:
                with self.lock:
                    self.messages.append(json.loads(text))
                    self.received_at.append(time.time())
                    self.lock.notify_all()
        except ConnectionClosed:
            pass
        finally:
            self.closed.set()
            with self.lock:
                self.lock.notify_all()

    def wait_for(self, predicate: Callable[[dict], bool], timeout: float = 30) -> dict:
        """The first message (received so far or later) matching predicate."""
        found = self.wait_until(lambda ms: any(predicate(m) for m in ms), timeout)
        return next(m for m in found if predicate(m))

    def wait_until(
        self, condition: Callable[[list[dict]], bool], timeout: float = 30
    ) -> list[dict]:
        """The messages so far, once ``condition`` holds for them."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while not condition(self.messages):
                left = deadline - time.monotonic()
                if left <= 0 or self.closed.is_set():
                    raise AssertionError(
                        f"not there within {timeout} s: {self.messages[-5:]}"
                    )
                self.lock.wait(left)
            return list(self.messages)

    def events(self) -> list[dict]:
        with self.lock:
            return [m for m in self.messages if "seq" in m and m["type"] != "hello"]

    def send(self, message: dict) -> None:
        self.conn.send(json.dumps(message))

    def close(self) -> None:
        self.conn.close()
        self.thread.join(timeout=10)


def open_stream(
    web: Web,
    path: str,
    *,
    subprotocols: list[str] | None = None,
    headers: dict[str, str] | None = None,
    **params: object,
) -> Stream:
    query = f"?{urlencode(params)}" if params else ""
    conn = connect(
        f"{web.ws}{path}{query}",
        subprotocols=[Subprotocol(p) for p in subprotocols or []] or None,
        additional_headers=headers,
        proxy=None,
        open_timeout=20,
        legacy=True,  # the connection itself, not a context manager
    )
    return Stream(conn)


def refusal(web: Web, path: str, **kwargs: Any) -> tuple[int, bytes]:
    """The handshake's HTTP status and body when it is refused."""
    try:
        stream = open_stream(web, path, **kwargs)
    except InvalidStatus as exc:
        return exc.response.status_code, bytes(exc.response.body or b"")
    stream.close()
    raise AssertionError(f"{path} was accepted")
