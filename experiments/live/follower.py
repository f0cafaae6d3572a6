"""Single-container mode: the web process follows the event log itself.

Without Redis the worker's ``publish()`` cannot reach this process's
in-memory channel layer, so one task per web process (per event loop) reads
the new rows of ``SweepEvent`` every ``POLL_S`` and ``group_send``s them to
the same groups Redis would have used. It is one query per interval however
many sockets and long polls are open: 50 viewers cost the database what one
does.

Lifetime: the first subscriber (a consumer or a long poll) starts it; it
stops ``IDLE_STOP_S`` after the last one left, so a client that reconnects at
once does not restart it. It starts at the end of the log: subscribers read
what came before from the log themselves (replay), and ``acquire`` returns
only once that starting point is read, so nothing falls between the two.

On PostgreSQL without Redis, ids are taken at insert but rows become visible
at commit, so a lower id can appear after a higher one. ``LogCursor`` keeps
looking below the highest id it has seen for ids it has not, for
``HOLE_WAIT_S`` (a rolled-back insert leaves a hole for ever). On SQLite
writes are serialized and ids commit in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.db.models import F

from experiments.engine.events import LAYER_TYPE, EventMessage, as_message, groups_of
from experiments.live.wire import SharedEvent
from experiments.models import SweepEvent

log = logging.getLogger(__name__)
T = TypeVar("T")

POLL_S = 0.1
IDLE_STOP_S = 10.0
HOLE_WAIT_S = 10.0
BATCH = 1000
RETRY_S = 1.0  # after a failed read
# Past this many ids between the cursor and the newest row, holes are not
# tracked one by one (a jump of the id sequence, not transactions in flight).
MAX_HOLE_SPAN = 10_000


def close_connection() -> None:
    """Close this thread's connection (the name resolves in the thread)."""
    connection.close()


class LogCursor:
    """Where the follower is in the log (used from its thread only)."""

    def __init__(self) -> None:
        self.horizon = 0  # every id <= horizon is delivered or given up
        self.seen: set[int] = set()  # delivered ids > horizon
        self.holes: dict[int, float] = {}  # missing id -> first noticed

    def start(self) -> None:
        last = SweepEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
        self.horizon = last or 0
        self.seen.clear()
        self.holes.clear()

    def poll(self) -> list[EventMessage]:
        """The rows committed since the last poll, in id order (one query)."""
        rows = list(
            SweepEvent.objects.filter(pk__gt=self.horizon)
            .annotate(project=F("sweep__experiment__project_id"))
            .order_by("pk")[:BATCH]
        )
        fresh = [row for row in rows if row.pk not in self.seen]
        self.seen.update(row.pk for row in fresh)
        self._advance(time.monotonic())
        return [as_message(row, row.project) for row in fresh]

    def _advance(self, now: float) -> None:
        if not self.seen:
            return
        top = max(self.seen)
        if top - self.horizon > MAX_HOLE_SPAN:
            self.holes.clear()
        else:
            for pk in range(self.horizon + 1, top):
                if pk not in self.seen:
                    self.holes.setdefault(pk, now)
        self.holes = {
            pk: since
            for pk, since in self.holes.items()
            if pk not in self.seen and now - since < HOLE_WAIT_S
        }
        self.horizon = min(self.holes) - 1 if self.holes else top
        self.seen = {pk for pk in self.seen if pk > self.horizon}


class Follower:
    def __init__(self) -> None:
        self.users = 0
        self.idle_since = time.monotonic()
        self.task: asyncio.Task[None] | None = None
        self.lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Count a subscriber; start following if nobody was. Returns once
        the starting point is read."""
        self.users += 1
        try:
            async with self.lock:
                if self.task is None:
                    await self._start()
        except BaseException:
            self.release()
            raise

    async def _start(self) -> None:
        executor = ThreadPoolExecutor(1, thread_name_prefix="live-follower")
        cursor = LogCursor()
        try:
            await self._in(executor, cursor.start)
        except BaseException:
            executor.submit(close_connection)
            executor.shutdown(wait=False)
            raise
        self.task = asyncio.create_task(self._follow(executor, cursor))

    async def stop(self) -> None:
        """Stop following now, whoever listens (the tests)."""
        if self.task is not None:
            task, self.task = self.task, None
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def release(self) -> None:
        self.users -= 1
        if self.users == 0:
            self.idle_since = time.monotonic()

    async def _in(self, executor: ThreadPoolExecutor, fn: Callable[[], T]) -> T:
        # One thread of its own: one database connection, kept between polls.
        return await asyncio.get_running_loop().run_in_executor(executor, fn)

    async def _follow(self, executor: ThreadPoolExecutor, cursor: LogCursor) -> None:
        layer = get_channel_layer()
        try:
            while True:
                await asyncio.sleep(POLL_S)
                if self.users == 0 and time.monotonic() - self.idle_since > IDLE_STOP_S:
                    self.task = None  # before any await: acquire() starts anew
                    return
                try:
                    messages = await self._in(executor, cursor.poll)
                except Exception:  # the database restarting: try again soon
                    log.warning("could not read the sweep event log", exc_info=True)
                    await self._in(executor, close_connection)
                    await asyncio.sleep(RETRY_S)
                    continue
                for message in messages:
                    layer_message: dict[str, Any] = {
                        "type": LAYER_TYPE,
                        "event": SharedEvent(message),
                    }
                    for group in groups_of(message):
                        await layer.group_send(group, layer_message)
        finally:
            if self.task is asyncio.current_task():
                self.task = None
            executor.submit(close_connection)
            executor.shutdown(wait=False)


_followers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Follower] = (
    weakref.WeakKeyDictionary()
)


def follower() -> Follower | None:
    """This event loop's follower; None with Redis, whose layer already
    carries every process's events."""
    if settings.REDIS_URL:
        return None
    loop = asyncio.get_running_loop()
    if loop not in _followers:
        _followers[loop] = Follower()
    return _followers[loop]
