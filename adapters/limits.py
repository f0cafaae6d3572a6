"""Per-endpoint limits: in-flight requests, requests and tokens per minute."""

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

    def _refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    async def take(self, amount: float = 1.0) -> None:
        amount = min(amount, self.capacity)
        async with self.lock:  # FIFO: waiters are served in order
            self._refill()
            while self.tokens < amount:
                await asyncio.sleep((amount - self.tokens) / self.rate)
                self._refill()
            self.tokens -= amount


class EndpointLimiter:
    def __init__(self, endpoint: EndpointConfig):
        self.semaphore = asyncio.Semaphore(max(1, endpoint.max_concurrency))
        self.rpm = TokenBucket(endpoint.rpm) if endpoint.rpm else None
        self.tpm = TokenBucket(endpoint.tpm) if endpoint.tpm else None

    @asynccontextmanager
    async def slot(self, estimated_tokens: int) -> AsyncIterator[None]:
        """Hold one in-flight slot, after the rate buckets allow the request."""
        async with self.semaphore:
            if self.rpm:
                await self.rpm.take(1)
            if self.tpm:
                await self.tpm.take(estimated_tokens)
            yield
