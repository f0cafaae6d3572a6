"""Run the PromptLooper stack (web server + task worker) in the foreground.

``make run`` ends with this. Each child leads its own process group, so one
Ctrl-C also stops whatever a child forked (qcluster's sentinel and workers).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from types import FrameType
from typing import Any

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

READY_TIMEOUT = 30.0
STOP_GRACE = 10.0
ASGI_APP = "promptlooper_site.asgi:application"


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: list[str]
    # Polled until it answers HTTP at all; None means "started is ready enough".
    ready_url: str | None = None


def _browser_host(host: str) -> str:
    # A wildcard bind address is not something a browser (or httpx) can open.
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"[{host}]" if ":" in host else host


def _answers_http(url: str) -> bool:
    try:
        httpx.get(url, timeout=2.0)  # any answer, even an error page, is ready
    except httpx.TransportError:
        return False
    return True


def _signal_group(pgid: int, sig: int) -> bool:
    """Send sig (0 only probes) to a process group; False if the group is empty."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    return True


class Command(BaseCommand):
    help = "Start the web server and the Django-Q worker; Ctrl-C stops both."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.WEB_PORT)
        parser.add_argument("--no-worker", action="store_true", help="No qcluster.")
        parser.add_argument(
            "--simulator-port",
            type=int,
            default=settings.SIMULATOR_PORT,
            help="port of the LLM simulator the demo uses (0: do not start it)",
        )
        parser.add_argument(
            "--mcp-port",
            type=int,
            default=settings.MCP_PORT,
            help="port of the MCP server for agents (0: do not start it)",
        )

    def process_specs(
        self,
        host: str,
        port: int,
        base: str,
        worker: bool,
        simulator_port: int = 0,
        mcp_port: int = 0,
    ) -> list[ProcessSpec]:
        manage_py = str(settings.BASE_DIR / "manage.py")
        specs = []
        if simulator_port:
            # First, so the demo sweep the worker picks up finds it answering.
            sim = ["simulate_llm", "--host", "127.0.0.1", "--port", str(simulator_port)]
            specs.append(
                ProcessSpec(
                    "simulator",
                    [sys.executable, manage_py, *sim],
                    f"http://127.0.0.1:{simulator_port}/v1/models",
                )
            )
        daphne = ["-m", "daphne", "-b", host, "-p", str(port), ASGI_APP]
        specs.append(
            ProcessSpec("web", [sys.executable, *daphne], f"{base}/admin/login/")
        )
        if worker:
            specs.append(ProcessSpec("worker", [sys.executable, manage_py, "qcluster"]))
        if mcp_port:
            # uvicorn, not daphne: the MCP app needs the ASGI lifespan.
            mcp = ["mcp_server", "--host", host, "--port", str(mcp_port)]
            url = f"http://{_browser_host(host)}:{mcp_port}/mcp"  # a 401 is ready
            specs.append(ProcessSpec("mcp", [sys.executable, manage_py, *mcp], url))
        return specs

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        self.stop_signal: int | None = None
        # Handlers only note the signal: a second Ctrl-C cannot cut a shutdown short.
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        base = f"http://{_browser_host(host)}:{port}"
        self.mcp_url = f"http://{_browser_host(host)}:{options['mcp_port']}/mcp"
        specs = self.process_specs(
            host,
            port,
            base,
            not options["no_worker"],
            options["simulator_port"],
            options["mcp_port"],
        )
        try:
            for spec in specs:
                self._say(f"Starting {spec.name}: {' '.join(spec.argv)}")
                self.children[spec.name] = subprocess.Popen(
                    spec.argv, cwd=settings.BASE_DIR, start_new_session=True
                )
                if spec.name == "simulator":
                    self._wait_ready(spec)
            stopped_cleanly = self._supervise(specs, base)
        finally:
            self._stop_all()
        if not stopped_cleanly:
            raise SystemExit(1)

    def _wait_ready(self, spec: ProcessSpec) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while not _answers_http(spec.ready_url) and time.monotonic() < deadline:
            if self.children[spec.name].poll() is not None:
                return  # _supervise reports the dead child
            time.sleep(0.1)

    def _say(self, line: str) -> None:
        # Flush, or a piped/logged stdout would show our lines after the children's.
        self.stdout.write(line)
        self.stdout.flush()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop_signal = signum

    def _supervise(self, specs: list[ProcessSpec], base: str) -> bool:
        """Run until a stop signal (True) or a dead or mute child (False)."""
        pending = [spec.ready_url for spec in specs if spec.ready_url]
        deadline = time.monotonic() + READY_TIMEOUT
        announced = False
        while self.stop_signal is None:
            for name, proc in self.children.items():
                if (code := proc.poll()) is not None:
                    how = f"signal {-code}" if code < 0 else f"exit code {code}"
                    self.stderr.write(f"{name} exited unexpectedly ({how}).")
                    return False
            if pending and _answers_http(pending[0]):
                pending.pop(0)
                continue
            if pending and time.monotonic() > deadline:
                self.stderr.write(f"No answer from {pending[0]}; stopping.")
                return False
            if not pending and not announced:
                self._say(f"PromptLooper is up: {base}/ (the dashboard)")
                self._say(f"Django admin: {base}/admin/")
                self._say(f"REST API: {base}/api/ (docs: {base}/api/docs/)")
                if "simulator" in self.children:
                    sim = next(s for s in specs if s.name == "simulator")
                    url = sim.ready_url.removesuffix("/models")
                    self._say(f"LLM simulator (demo endpoint): {url}")
                if "mcp" in self.children:
                    self._say(
                        f"MCP server for agents: {self.mcp_url} "
                        "(Authorization: Bearer <API key>; docs/mcp.md)"
                    )
                self._say("Press Ctrl-C to stop.")
                announced = True
            time.sleep(0.25)
        return True

    def _stop_all(self) -> None:
        # Each child leads its own group (pid == pgid). SIGTERM the leader alone:
        # qcluster stops its own workers, and signalling its whole group at once
        # can deadlock it. A dead leader's forks may linger, so signal its group.
        for proc in self.children.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            else:
                _signal_group(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        while time.monotonic() < deadline:
            for proc in self.children.values():
                proc.poll()  # reap: a zombie leader would keep its group "alive"
            if not any(_signal_group(proc.pid, 0) for proc in self.children.values()):
                return
            time.sleep(0.1)
        for name, proc in self.children.items():
            if _signal_group(proc.pid, signal.SIGKILL):
                self.stderr.write(f"{name} ignored SIGTERM for {STOP_GRACE:.0f} s.")
            proc.wait()
