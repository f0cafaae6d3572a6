"""A sweep watched live: a real worker runs it against the simulator, a real
daphne serves the stream, real WebSocket clients watch, reconnect, poll and
steer (in the suite's mode: SQLite without Redis, or PostgreSQL + Redis)."""

from __future__ import annotations

import statistics
import threading
import time
from datetime import datetime

import pytest

from experiments.engine.events import events_after
from experiments.live.tests.helpers import open_stream
from experiments.models import Sweep
from experiments.services.experiments import create_experiment
from experiments.services.sweeps import recover_stale_sweeps, start_sweep
from experiments.tests.engine_helpers import extraction_spec, kill_worker, start_worker

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
FINAL = {"completed", "failed", "cancelled"}


@pytest.fixture
def worker(test_db_env):
    """Started by the test when it is ready to watch (``worker.start()``)."""
    started = []

    class Worker:
        def start(self) -> None:
            started.append(start_worker(test_db_env))

    yield Worker()
    for process in started:
        kill_worker(process)


def queued_sweep(user, sim, n_items: int, latency_ms: int) -> Sweep:
    """A queued sweep of 4 configs x n_items runs at concurrency 4."""
    sim.configure(latency_ms=latency_ms)
    spec = extraction_spec(sim.base_url, n_items=n_items)
    experiment, _ = create_experiment(spec, user)
    return start_sweep(experiment, user)


def is_final(message: dict) -> bool:
    return message["type"] == "sweep.status" and message["payload"]["status"] in FINAL


def assert_whole_log(events: list[dict], sweep: Sweep, after: int = 0) -> None:
    """``events`` are the log's, each once, in order, from ``after`` on."""
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(after + 1, after + 1 + len(seqs))), seqs
    assert events == events_after(sweep.pk, after, limit=100_000)


def test_progress_arrives_live_while_a_sweep_runs(
    web, worker, simulator, alice, carol, project, token
):
    sweep = queued_sweep(alice, simulator, n_items=20, latency_ms=100)
    stream = open_stream(web, f"/ws/sweeps/{sweep.pk}/", token=token(carol))
    hello = stream.wait_for(lambda m: m["type"] == "hello")
    assert hello["sweep"]["status"] == "queued"
    worker.start()
    stream.wait_for(is_final, timeout=90)
    events = stream.events()
    assert_whole_log(events, sweep, after=hello["seq"])
    at = {e["seq"]: datetime.fromisoformat(e["at"]).timestamp() for e in events}
    got = {
        m["seq"]: t
        for m, t in zip(stream.messages, stream.received_at, strict=True)
        if m["type"] != "hello"
    }
    progress = [e for e in events if e["type"] == "sweep.progress"]
    finished = next(e for e in events if is_final(e))
    # Received while the sweep ran, not in a heap at its end...
    during = [e for e in progress if got[e["seq"]] < at[finished["seq"]]]
    assert len(during) >= 2, progress
    # ... and soon after each was written (the bench measures it finely).
    delays = [got[e["seq"]] - at[e["seq"]] for e in events]
    assert statistics.median(delays) < 1.0, delays
    assert progress[-1]["payload"]["done"] == 80
    stream.close()


def test_a_reconnect_with_after_misses_nothing_and_duplicates_nothing(
    web, worker, simulator, alice, carol, project, token
):
    sweep = queued_sweep(alice, simulator, n_items=25, latency_ms=100)
    path = f"/ws/sweeps/{sweep.pk}/"
    whole = open_stream(web, path, token=token(carol), after=0)
    worker.start()
    received: list[dict] = []
    reconnects = 0
    while not any(is_final(e) for e in received):
        stream = open_stream(
            web, path, token=token(carol), after=len(received) and received[-1]["seq"]
        )
        try:
            # Take a couple of events, then drop the connection mid-sweep.
            stream.wait_until(
                lambda ms: len(ms) >= 3 or any(map(is_final, ms)), timeout=60
            )
        finally:
            stream.close()
        received += stream.events()
        reconnects += 1
        time.sleep(0.7)  # events go on meanwhile
    whole.wait_for(is_final, timeout=60)
    assert reconnects >= 3
    assert_whole_log(received, sweep)
    assert received == whole.events()
    whole.close()


def test_the_socket_and_the_polling_endpoint_give_the_same_sequence(
    web, worker, simulator, alice, carol, project, token
):
    sweep = queued_sweep(alice, simulator, n_items=20, latency_ms=100)
    stream = open_stream(web, f"/ws/sweeps/{sweep.pk}/", token=token(carol), after=0)
    polled: list[dict] = []
    answers: list[dict] = []

    def poll() -> None:
        with web.api(token(carol)) as api:
            after = 0
            while not any(is_final(e) for e in polled):
                reply = api.get(f"/sweeps/{sweep.pk}/events/", params={"after": after})
                assert reply.status_code == 200, reply.text
                answers.append(reply.json())
                polled.extend(reply.json()["events"])
                after = reply.json()["last_seq"]

    poller = threading.Thread(target=poll)
    poller.start()
    worker.start()
    stream.wait_for(is_final, timeout=90)
    poller.join(timeout=60)
    assert not poller.is_alive()
    assert polled == stream.events()
    assert_whole_log(polled, sweep)
    # Long polls: an answer came back with the next event(s), not empty.
    assert all(answer["events"] for answer in answers)
    assert len(answers) > 3
    stream.close()


def test_an_editors_pause_stops_new_calls_within_a_second_and_every_viewer_sees_it(
    web, worker, simulator, alice, bob, carol, project, token
):
    sweep = queued_sweep(alice, simulator, n_items=60, latency_ms=200)
    path = f"/ws/sweeps/{sweep.pk}/"
    viewers = [open_stream(web, path, token=token(user)) for user in (carol, alice)]
    editor = open_stream(web, path, subprotocols=["bearer", token(bob)])
    worker.start()
    editor.wait_for(
        lambda m: m["type"] == "sweep.progress" and m["payload"]["done"] >= 8,
        timeout=90,
    )
    editor.send({"action": "pause"})
    sent = time.monotonic()
    time.sleep(max(0.0, sent + 1.0 - time.monotonic()))
    calls = simulator.stats()["requests"]
    time.sleep(1.5)
    assert simulator.stats()["requests"] == calls, "calls went on after a second"
    assert calls < 240
    editor.send({"action": "cancel"})
    for stream in [*viewers, editor]:
        stream.wait_for(is_final, timeout=30)
        steering = [
            e["payload"]["action"] for e in stream.events() if e["type"] == "steering"
        ]
        assert steering == ["pause", "cancel"]
        statuses = [
            e["payload"]["status"]
            for e in stream.events()
            if e["type"] == "sweep.status"
        ]
        assert statuses[-2:] == ["paused", "cancelled"]
        stream.close()
    assert Sweep.objects.get(pk=sweep.pk).status == "cancelled"


def test_a_web_server_restart_mid_sweep_loses_no_event_for_a_client_that_reconnects(
    web, worker, simulator, alice, carol, project, token
):
    sweep = queued_sweep(alice, simulator, n_items=40, latency_ms=150)
    path = f"/ws/sweeps/{sweep.pk}/"
    first = open_stream(web, path, token=token(carol), after=0)
    worker.start()
    first.wait_until(
        lambda ms: sum(m["type"] == "sweep.progress" for m in ms) >= 2, timeout=90
    )
    web.restart()  # SIGKILL, as a crash; the worker goes on publishing
    assert first.closed.wait(10)
    before = first.events()
    assert not any(map(is_final, before)), "the sweep ended before the restart"
    second = open_stream(web, path, token=token(carol), after=before[-1]["seq"])
    second.wait_for(is_final, timeout=90)
    assert_whole_log(before + second.events(), sweep)
    second.close()


def test_a_worker_killed_mid_sweep_and_restarted_loses_no_event_for_a_watcher(
    web, simulator, alice, carol, project, token, test_db_env, settings
):
    # The watcher stays connected: the web process outlives the worker.
    settings.HEARTBEAT_STALE_S = 2
    env = {**test_db_env, "PROMPTLOOPER_HEARTBEAT_STALE_S": "2"}
    sweep = queued_sweep(alice, simulator, n_items=30, latency_ms=100)
    stream = open_stream(web, f"/ws/sweeps/{sweep.pk}/", token=token(carol), after=0)
    worker = start_worker(env)
    try:
        stream.wait_until(
            lambda ms: any(
                m["type"] == "sweep.progress" and m["payload"]["done"] >= 20 for m in ms
            ),
            timeout=90,
        )
        kill_worker(worker)  # SIGKILL, as a crash
        at_kill = len(stream.events())
        assert not any(map(is_final, stream.events())), "ended before the kill"
        time.sleep(2.5)  # the dead runner's heartbeat goes stale
        worker = start_worker(env)
        # The worker's schedule re-enqueues stale sweeps every minute.
        assert recover_stale_sweeps() == [sweep.pk]
        final = stream.wait_for(is_final, timeout=90)
    finally:
        kill_worker(worker)
    assert final["payload"]["status"] == "completed"
    events = stream.events()
    assert_whole_log(events, sweep)
    # The second runner's events reached the same socket, its counters
    # going on from where the first one's stopped.
    done = [e["payload"]["done"] for e in events if e["type"] == "sweep.progress"]
    assert done == sorted(done) and done[-1] == 120
    assert any(e["type"] == "sweep.progress" for e in events[at_kill:])
    stream.close()
