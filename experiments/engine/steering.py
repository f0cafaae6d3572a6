"""What the control loop sets and every request obeys: the concurrency gate
(its limit follows the sweep's ``concurrency``), pause and stop."""

from __future__ import annotations

import asyncio
from collections import deque


class Gate:
    """A semaphore whose limit can change while it is in use.

    A freed slot goes straight to the oldest waiter: the waiter does not
    re-take a lock and re-check, which cost a loop turn or two per request
    (a few percent of a 100 ms call under load)."""

    def __init__(self, limit: int):
        self.limit, self.active = limit, 0
        self.waiters: deque[asyncio.Future] = deque()

    async def acquire(self) -> None:
        if self.active < self.limit and not self.waiters:
            self.active += 1
            return
        future = asyncio.get_running_loop().create_future()
        self.waiters.append(future)
        try:
            await future  # set when a slot is handed over; active counts it
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # handed over, then cancelled: give it back
            raise

    def release(self) -> None:
        self.active -= 1
        self._hand_over()

    def set_limit(self, limit: int) -> None:
        self.limit = max(1, limit)
        self._hand_over()

    def _hand_over(self) -> None:
        while self.waiters and self.active < self.limit:
            future = self.waiters.popleft()
            if not future.done():  # a cancelled waiter is skipped
                self.active += 1
                future.set_result(None)


class Stopped(Exception):
    """The sweep stopped before this run's first request went out: it stays
    pending for whoever runs the sweep next."""


class Steering:
    """The sweep's live settings as the runner's parts see them: the gate,
    whether it is paused (``resumed`` clear) and whether it is stopping."""

    def __init__(self, concurrency: int):
        self.gate = Gate(concurrency)
        self.resumed = asyncio.Event()
        self.resumed.set()
        self.stopping = False

    async def take_slot(self, may_stop: bool) -> None:
        """A gate slot, once the sweep is not paused. ``may_stop``: a run not
        yet sent raises ``Stopped`` instead when the sweep is stopping."""
        gate = self.gate
        await gate.acquire()
        while not self.resumed.is_set() and not self.stopping:
            gate.release()
            await self.resumed.wait()
            await gate.acquire()
        if self.stopping and may_stop:
            gate.release()
            raise Stopped
