"""The polling fallback's wait: ``GET /api/sweeps/<id>/events/`` answers at
once when the log has events after the client's ``after``, else waits for
one, up to ``MAX_WAIT_S``.

The wait makes no query and holds no database connection: the request's
thread hands the wait to the event loop (``async_to_sync``), where a channel
of the layer joined to the sweep's group wakes it (Redis, or this process's
follower without it), and the log is read again then. It is also read every
``RECHECK_S`` in case a broadcast was lost (with Redis, ``broadcast`` drops
an event it cannot send rather than fail the sweep). Under daphne each
request has its own thread (Django's ASGI handler), so a waiting poll blocks
no other request.
"""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType

from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.db import connection

from experiments.engine.events import EventMessage, events_after, sweep_group
from experiments.live.follower import follower

MAX_WAIT_S = 25.0
RECHECK_S = 5.0


def events_since(sweep_id: int, after: int, wait: float) -> list[EventMessage]:
    """The sweep's logged events with ``seq > after`` (up to a page); when
    there are none, the first ones to arrive within ``wait`` seconds."""
    events = events_after(sweep_id, after)
    wait = min(wait, MAX_WAIT_S)
    if events or wait <= 0:
        return events
    return async_to_sync(_wait)(sweep_id, after, wait)


def _read(sweep_id: int, after: int) -> list[EventMessage]:
    events = events_after(sweep_id, after)
    # Not held while waiting (a test's transaction is left alone).
    if not events and not connection.in_atomic_block:
        connection.close()
    return events


async def _wait(sweep_id: int, after: int, wait: float) -> list[EventMessage]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    # Thread-sensitive: runs back in the request's thread, on its connection.
    read = sync_to_async(_read)
    async with Listener(sweep_group(sweep_id)) as listener:
        while True:
            # Joined first, read second: an event between the two is in both.
            events = await read(sweep_id, after)
            remaining = deadline - loop.time()
            if events or remaining <= 0:
                return events
            await listener.wait(min(remaining, RECHECK_S))


class Listener:
    """A layer channel in one group, for code that is not a consumer."""

    def __init__(self, group: str) -> None:
        self.group = group
        self.layer = get_channel_layer()
        self.arrived = asyncio.Event()
        self.channel = ""
        self.receiver: asyncio.Task[None] | None = None
        self.follower = follower()

    async def __aenter__(self) -> Listener:
        if self.follower is not None:
            await self.follower.acquire()
        try:
            self.channel = await self.layer.new_channel()
            await self.layer.group_add(self.group, self.channel)
            self.receiver = asyncio.create_task(self._receive())
        except BaseException:
            await self._leave()
            raise
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._leave()

    async def _leave(self) -> None:
        if self.receiver is not None:
            # Cancelling a receive is how the Redis layer drops its channel.
            self.receiver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.receiver
        if self.channel:
            await self.layer.group_discard(self.group, self.channel)
        if self.follower is not None:
            self.follower.release()

    async def _receive(self) -> None:
        while True:
            await self.layer.receive(self.channel)
            self.arrived.set()

    async def wait(self, timeout: float) -> None:
        """Until a message arrives in the group or ``timeout`` passes."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.arrived.wait(), timeout)
        self.arrived.clear()
