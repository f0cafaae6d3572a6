"""Per-endpoint limits: in-flight requests, requests and tokens per minute.

Each limit counts the requests it holds back (``waiting``) for live views.
A counter goes up before the await that may suspend and down after it; a
request that passes at once never yields in between, so an observer in the
same event loop only ever sees the requests actually held back.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from adapters.base import EndpointConfig


class TokenBucket:
    """``capacity`` tokens, refilled continuously at ``per_minute / 60`` per second.

    A request larger than the capacity is let through when the bucket is full,
    so a single oversized request cannot wait forever.
    """

    def __init__(self, per_minute: int):
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self.lock = asyncio.Lock()
        self.waiting = 0  # requests held back by this bucket

    def _refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    async def take(self, amount: float = 1.0) -> None:
        amount = min(amount, self.capacity)
        self.waiting += 1
        try:
            async with self.lock:  # FIFO: waiters are served in order
                self._refill()
                while self.tokens < amount:
                    await asyncio.sleep((amount - self.tokens) / self.rate)
                    self._refill()
                self.tokens -= amount
        finally:
            self.waiting -= 1


class EndpointLimiter:
    def __init__(self, endpoint: EndpointConfig):
        self.semaphore = asyncio.Semaphore(max(1, endpoint.max_concurrency))
        self.rpm = TokenBucket(endpoint.rpm) if endpoint.rpm else None
        self.tpm = TokenBucket(endpoint.tpm) if endpoint.tpm else None
        self.waiting_slot = 0  # requests waiting for an in-flight slot
        self.in_flight = 0  # requests past every limit, not yet answered

    @asynccontextmanager
    async def slot(self, estimated_tokens: int) -> AsyncIterator[None]:
        """Hold one in-flight slot, after the rate buckets allow the request."""
        self.waiting_slot += 1
        try:
            await self.semaphore.acquire()
        finally:
            self.waiting_slot -= 1
        try:
            if self.rpm:
                await self.rpm.take(1)
            if self.tpm:
                await self.tpm.take(estimated_tokens)
            self.in_flight += 1
            try:
                yield
            finally:
                self.in_flight -= 1
        finally:
            self.semaphore.release()

    def waiting(self) -> dict[str, int]:
        """Requests held back right now, by the limit holding them."""
        return {
            "concurrency": self.waiting_slot,
            "rpm": self.rpm.waiting if self.rpm else 0,
            "tpm": self.tpm.waiting if self.tpm else 0,
        }
