"""Running the simulator: a bound socket, and ``SimulatorServer`` (uvicorn in a
daemon thread, for tests and scripts)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import replace
from typing import Any

import httpx
import uvicorn

from simulator.app import SimulatorApp
from simulator.config import SimulatorConfig


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A bound socket; with port 0 the OS picks a free port. Handing the bound
    socket to uvicorn (rather than closing it and passing the number) leaves no
    window for another process to take the port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # An explicit IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on
    # accepted sockets whose proto says TCP, and without it every keep-alive
    # response waits ~40 ms on Nagle and delayed ACKs.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def format_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class SimulatorServer:
    """The simulator served by uvicorn in a daemon thread, for tests and
    scripts::

        with SimulatorServer(port=0, latency_ms=0) as sim:
            httpx.get(f"{sim.base_url}/models")
    """

    def __init__(self, config: SimulatorConfig | None = None, **overrides: Any) -> None:
        self.config = replace(config or SimulatorConfig(), **overrides)
        self.app = SimulatorApp(self.config)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._client: httpx.Client | None = None

    @property
    def url(self) -> str:
        """The server root (``/stats`` and ``/config`` live here)."""
        return format_url(self.config.host, self.config.port)

    @property
    def base_url(self) -> str:
        """What an OpenAI client takes as ``base_url``."""
        return f"{self.url}/v1"

    def start(self, timeout: float = 10.0) -> SimulatorServer:
        if self._thread is not None:
            raise RuntimeError("The simulator is already running.")
        sock = bind_socket(self.config.host, self.config.port)
        self.config.port = sock.getsockname()[1]
        server = uvicorn.Server(
            uvicorn.Config(
                self.app,
                host=self.config.host,
                port=self.config.port,
                log_level="warning",
                access_log=False,
                lifespan="off",
                # Leave the host process's logging (Django, pytest) alone.
                log_config=None,
                # Hung "timeout" faults must not hold up stop().
                timeout_graceful_shutdown=1,
            )
        )
        thread = threading.Thread(
            target=server.run,
            kwargs={"sockets": [sock]},
            name=f"llm-simulator-{self.config.port}",
            daemon=True,
        )
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                sock.close()
                raise RuntimeError(f"The simulator did not start on {self.url}.")
            time.sleep(0.01)
        self._server, self._thread = server, thread
        return self

    def stop(self, timeout: float = 10.0) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(timeout)
        if thread.is_alive():
            server.force_exit = True
            thread.join(timeout)
        self._server = self._thread = None
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # Over HTTP rather than poking the app: the app belongs to the server's
    # event loop thread.
    def stats(self) -> dict[str, Any]:
        return self._call("GET", "/stats")

    def reset(self) -> dict[str, Any]:
        return self._call("POST", "/stats/reset")

    def configure(self, **changes: Any) -> dict[str, Any]:
        return self._call("POST", "/config", changes)

    def _call(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        if self._client is None:
            self._client = httpx.Client(base_url=self.url, timeout=10)
        response = self._client.request(method, path, json=body)
        response.raise_for_status()
        return response.json()
