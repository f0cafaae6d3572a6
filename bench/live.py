"""The ``live`` scenario of run_bench.py: sweeps watched over WebSockets.

Per mode, a real daphne and a real worker on a fresh database (SQLite
without Redis: the web process follows the event log; PostgreSQL with
Redis: channels-redis carries events), and sweeps of ``RUNS`` runs against
the simulator (100 +/- 20 ms, concurrency 32):

1. one client: event latency, from the event's row (``at``, written by the
   worker) to the client's receipt, p50 and p95 (target p95 < 250 ms);
2. ``CLIENTS`` clients on one sweep: every client receives every event once
   and in order (the sweep's whole log), the latency over all receipts, and
   the web process's CPU over the sweep (``/proc/<pid>/stat``), in cores
   (target < 1).

Clients connect with ``?after=0`` to a sweep paused as soon as it is
created, and resumed once every client has its ``hello``: the latency is an
event's, not a connection's (the time for all of them to connect is
reported beside it). Events received as replay (up to the ``hello``'s seq)
are not latency samples. The 50 clients share this process: each message
is timed on arrival and decoded after the sweep, so a client does not wait
for the others' JSON parsing. Clients, web server, worker and simulator
share the machine, so the latencies include waiting for a CPU.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
RUNS = 2000
CLIENTS = 50
PASSWORD = "bench-Password-123"
FINAL = {"completed", "failed", "cancelled"}
CREATE_USER = (
    "from django.contrib.auth.models import User; "
    f"User.objects.create_user('bench', password='{PASSWORD}')"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14, 15 of stat
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def _spawn(argv: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        argv,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _stop(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def watch(ws_url: str, token: str, ready: asyncio.Queue) -> dict:
    """One client from ``after=0`` to the sweep's final status."""
    from websockets.asyncio.client import connect

    texts: list[tuple[float, str]] = []
    async with connect(
        f"{ws_url}?after=0", subprotocols=["bearer", token], proxy=None, max_queue=None
    ) as ws:
        hello = json.loads(await ws.recv())
        await ready.put(time.monotonic())
        async for text in ws:
            # Decoded afterwards: the 50 clients share this process, and each
            # would otherwise wait for the others' JSON parsing.
            texts.append((time.time(), str(text)))
            if "sweep.status" in text and is_final(json.loads(text)):
                break
    received = [(at, json.loads(text)) for at, text in texts]
    return {"hello": hello, "received": received}


def is_final(message: dict) -> bool:
    payload = message.get("payload") or {}
    return message["type"] == "sweep.status" and payload.get("status") in FINAL


def latencies(watched: dict) -> list[float]:
    """Seconds from each live event's row to its receipt."""
    first_live = watched["hello"]["seq"]
    return [
        at - datetime.fromisoformat(message["at"]).timestamp()
        for at, message in watched["received"]
        if message["seq"] > first_live
    ]


class Stack:
    """daphne + qcluster on ``env``'s database, a user and a token."""

    def __init__(self, env: dict) -> None:
        self.env = {**env, "LOG_LEVEL": "WARNING"}
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "shell", "-c", CREATE_USER], cwd=ROOT, env=env,
                       check=True, capture_output=True)  # fmt: skip
        self.web = _spawn(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port),
             "promptlooper_site.asgi:application"],
            self.env,
        )  # fmt: skip
        self.worker = _spawn([*manage, "qcluster"], self.env)
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{self.url}/admin/login/", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or self.web.poll() is not None:
                    raise RuntimeError("daphne did not start") from None
                time.sleep(0.2)
        token = httpx.post(
            f"{self.url}/api/auth/token/",
            json={"username": "bench", "password": PASSWORD},
        ).json()["access"]
        self.token = token
        self.api = httpx.Client(
            base_url=f"{self.url}/api",
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        self.api.post("/projects/", json={"name": "bench"}).raise_for_status()

    def start_sweep(self, spec: dict) -> int:
        experiment = self.api.post("/experiments/", json=spec)
        experiment.raise_for_status()
        sweep = self.api.post(
            f"/experiments/{experiment.json()['id']}/sweeps/", json={}
        )
        sweep.raise_for_status()
        return sweep.json()["id"]

    def log(self, sweep: int) -> list[dict]:
        events, after = [], 0
        while True:
            page = self.api.get(
                f"/sweeps/{sweep}/events/", params={"after": after, "wait": 0}
            ).json()
            if not page["events"]:
                return events
            events += page["events"]
            after = page["last_seq"]

    def watch(self, spec: dict, clients: int) -> dict:
        """``clients`` watch one sweep, held paused until all are connected
        (their connections are not what the latency measures)."""
        sweep = self.start_sweep(spec)
        self.api.post(f"/sweeps/{sweep}/pause/").raise_for_status()
        ws_url = f"ws://127.0.0.1:{self.port}/ws/sweeps/{sweep}/"
        timing: dict[str, float] = {}

        async def all_clients() -> list[dict]:
            ready: asyncio.Queue = asyncio.Queue()
            connecting = time.monotonic()
            tasks = [
                asyncio.create_task(watch(ws_url, self.token, ready))
                for _ in range(clients)
            ]
            for _ in range(clients):
                timing["connected"] = await ready.get() - connecting
            timing["cpu"], timing["resumed"] = (
                _cpu_seconds(self.web.pid),
                time.monotonic(),
            )
            await asyncio.to_thread(self.api.post, f"/sweeps/{sweep}/resume/")
            return await asyncio.gather(*tasks)

        watched = self.watched = asyncio.run(all_clients())
        wall = time.monotonic() - timing["resumed"]
        cores = (_cpu_seconds(self.web.pid) - timing["cpu"]) / wall
        log = self.log(sweep)
        # Clients stop at the final status; anything logged after it is not theirs.
        final = next(e["seq"] for e in log if is_final(e))
        log = [e for e in log if e["seq"] <= final]
        # Every client: the whole log, each event once, in order.
        complete = sum([m for _, m in w["received"]] == log for w in watched)
        samples = [s for w in watched for s in latencies(w)]
        status = log[-1]["payload"].get("status") if log else None
        return dict(
            sweep=sweep,
            clients=clients,
            events=len(log),
            complete=complete,
            status=status,
            p50_ms=1000 * statistics.median(samples),
            p95_ms=1000 * percentile(samples, 0.95),
            samples=len(samples),
            wall=wall,
            web_cores=cores,
            connect_s=timing["connected"],
        )

    def stop(self) -> None:
        self.api.close()
        for proc in (self.worker, self.web):
            _stop(proc)


def measure(env: dict, spec_of, sim_url: str) -> dict:
    """Both sub-scenarios on one stack; ``spec_of(name, sim_url, runs)``."""
    load = os.getloadavg()[0]
    stack = Stack(env)
    try:
        sys.stderr.write("  live: one client\n")
        one = stack.watch(spec_of("bench-live-1", sim_url, RUNS), 1)
        sys.stderr.write(f"  live: {CLIENTS} clients\n")
        many = stack.watch(spec_of("bench-live-50", sim_url, RUNS), CLIENTS)
    finally:
        stack.stop()
    return {"one": one, "many": many, "load": load}


def rows(r: dict) -> list[tuple]:
    """(scenario, metric, value, target, passed or None), as run_bench's."""
    one, many = r["one"], r["many"]
    n = many["clients"]
    return [
        (f"live, 1 client ({RUNS} runs)", "events received", one["events"], "", None),
        ("", "latency p50 ms", one["p50_ms"], "", None),
        ("", "latency p95 ms", one["p95_ms"], "< 250", one["p95_ms"] < 250),
        (f"live, {n} clients", "clients with every event", many["complete"],
         f"= {n}", many["complete"] == n),
        ("", "events per client", many["events"], "", None),
        ("", "latency p50 ms (all receipts)", many["p50_ms"], "", None),
        ("", "latency p95 ms (all receipts)", many["p95_ms"], "< 250",
         many["p95_ms"] < 250),
        ("", "web process CPU, cores", many["web_cores"], "< 1.0",
         many["web_cores"] < 1.0),
        ("", "sweep wall s", many["wall"], "", None),
        ("", f"all {n} hellos s (connect burst)", many["connect_s"], "", None),
        ("", "load average at start", r["load"], "", None),
    ]  # fmt: skip
