"""Single-container mode's log follower, in process on the real database and
the real in-memory channel layer: one query per interval however many
listen, and no event lost when ids commit out of order (PostgreSQL)."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from experiments.engine.events import publish, sweep_group
from experiments.live import follower as follower_module
from experiments.live.follower import POLL_S, LogCursor, close_connection
from experiments.live.longpoll import Listener
from experiments.live.tests.helpers import loop_follower
from experiments.tests.engine_helpers import extraction_spec, start

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def single_container(settings):
    """No Redis: the mode in which the web process follows the log."""
    settings.REDIS_URL = None
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": 1000},
        }
    }


async def close_all() -> None:
    """The follower's connection and sync_to_async's (the test database
    cannot be dropped while they are open)."""
    await loop_follower().stop()
    await sync_to_async(close_connection)()
    await asyncio.sleep(0.2)  # the follower's thread closes its own


@pytest.fixture
def event_queries(monkeypatch):
    """Times of the queries of the event log, from any thread."""
    times: list[float] = []
    execute = CursorWrapper.execute

    def counted(self, sql, params=None):
        if "experiments_sweepevent" in sql:
            times.append(time.monotonic())
        return execute(self, sql, params)

    monkeypatch.setattr(CursorWrapper, "execute", counted)
    return times


def new_sweep(project) -> int:
    spec = extraction_spec("http://127.0.0.1:9/v1", n_items=1)
    return start(spec).pk


@pytest.mark.asyncio
async def test_fifty_listeners_cost_the_database_what_one_does(
    single_container, event_queries, project
):
    sweep = await sync_to_async(new_sweep)(project)
    window = 2.0

    async def queries_while_listening(n: int) -> int:
        listeners = [Listener(sweep_group(sweep)) for _ in range(n)]
        for listener in listeners:
            await listener.__aenter__()
        await asyncio.sleep(0.3)
        event_queries.clear()
        await asyncio.sleep(window)
        count = len(event_queries)
        await sync_to_async(publish)(sweep, "sweep.progress", {"listeners": n})
        # Every listener hears it.
        await asyncio.gather(
            *(asyncio.wait_for(each.arrived.wait(), 5) for each in listeners)
        )
        for listener in listeners:
            await listener.__aexit__(None, None, None)
        return count

    one = await queries_while_listening(1)
    fifty = await queries_while_listening(50)
    await close_all()
    assert window / POLL_S / 2 <= one <= window / POLL_S + 2
    assert abs(fifty - one) <= 3, (one, fifty)


@pytest.mark.asyncio
async def test_the_follower_stops_once_nobody_listens(
    single_container, event_queries, project, monkeypatch
):
    monkeypatch.setattr(follower_module, "IDLE_STOP_S", 0.3)
    sweep = await sync_to_async(new_sweep)(project)
    async with Listener(sweep_group(sweep)):
        await asyncio.sleep(0.3)
        assert loop_follower().task is not None
    await asyncio.sleep(0.3 + 3 * POLL_S)
    assert loop_follower().task is None
    event_queries.clear()
    await asyncio.sleep(0.5)
    assert event_queries == []
    async with Listener(sweep_group(sweep)) as listener:  # and starts again
        await sync_to_async(publish)(sweep, "sweep.progress", {})
        await asyncio.wait_for(listener.arrived.wait(), 5)
    await close_all()


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers: its ids commit in order")


def in_open_transaction(
    sweep: int, end: threading.Event, *, rollback: bool = False
) -> threading.Thread:
    """Publish in another connection's transaction, which ends (commits, or
    rolls back) when ``end`` is set; returns once the event is inserted."""
    ready = threading.Event()

    def run() -> None:
        try:
            with transaction.atomic():
                publish(sweep, "sweep.progress", {"late": True})
                ready.set()
                end.wait(10)
                transaction.set_rollback(rollback)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert ready.wait(10)
    return thread


def test_an_event_that_commits_after_a_later_one_is_still_delivered(postgres, project):
    first, second = new_sweep(project), new_sweep(project)
    cursor = LogCursor()
    cursor.start()
    commit = threading.Event()
    late = in_open_transaction(first, commit)
    publish(second, "sweep.progress", {"late": False})
    seen = cursor.poll()
    assert [e["sweep"] for e in seen] == [second]
    commit.set()
    late.join(10)
    seen = cursor.poll()
    assert [(e["sweep"], e["payload"]) for e in seen] == [(first, {"late": True})]
    assert cursor.poll() == []
    assert cursor.holes == {}


def test_a_rolled_back_event_holds_the_follower_back_only_for_a_while(
    postgres, project, monkeypatch
):
    monkeypatch.setattr(follower_module, "HOLE_WAIT_S", 0.5)
    first, second = new_sweep(project), new_sweep(project)
    cursor = LogCursor()
    cursor.start()
    rollback = threading.Event()
    never = in_open_transaction(first, rollback, rollback=True)
    publish(second, "sweep.progress", {})
    assert len(cursor.poll()) == 1
    rollback.set()
    never.join(10)
    assert cursor.holes, "the rolled-back id waits, in case it commits"
    time.sleep(0.6)
    assert cursor.poll() == []
    assert cursor.holes == {} and cursor.seen == set()
    publish(second, "sweep.progress", {})
    assert len(cursor.poll()) == 1
