"""Retries for every adapter: exponential backoff with full jitter, honouring
``Retry-After`` (seconds or an HTTP date)."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from adapters.base import AdapterError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # total attempts, the first included
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full jitter: uniform in [0, base * 2^(attempt-1)], capped."""
        ceiling = min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1))
        return rng.uniform(0, ceiling)


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class Backoffs:
    """The requests sleeping before their next attempt (say, one endpoint's),
    for live views: how many, and how soon the first wakes."""

    def __init__(self) -> None:
        self.wake_at: dict[int, float] = {}  # per sleeper: its monotonic wake-up
        self._ids = itertools.count()

    def __len__(self) -> int:
        return len(self.wake_at)

    def next_in(self) -> float | None:
        """Seconds until the next retry, None when no request is sleeping."""
        if not self.wake_at:
            return None
        return max(0.0, min(self.wake_at.values()) - time.monotonic())

    async def sleep(
        self, delay: float, sleep: Callable[[float], Awaitable[None]]
    ) -> None:
        sleeper = next(self._ids)
        self.wake_at[sleeper] = time.monotonic() + delay
        try:
            await sleep(delay)
        finally:
            del self.wake_at[sleeper]


async def call_with_retries(
    attempt_once: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    rng: random.Random | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    backoffs: Backoffs | None = None,
) -> tuple[T, int]:
    """Return (result, attempts made). Raises the last ``AdapterError`` with an
    ``attempts`` attribute when a failure is permanent or attempts run out.
    An attempt that was not sent (``AdapterError.sent`` false) is not counted.

    ``attempt_once`` takes whatever slots it needs and frees them before it
    returns: the backoff sleeps here, holding nothing (counted in
    ``backoffs`` while it does)."""
    rng = rng or random.Random()
    for attempt in range(1, policy.attempts + 1):
        try:
            return await attempt_once(), attempt
        except AdapterError as exc:
            exc.attempts = attempt if exc.sent else attempt - 1
            if not exc.retryable or attempt == policy.attempts:
                raise
            delay = exc.retry_after
            if delay is None:
                delay = policy.backoff(attempt, rng)
            delay = min(delay, policy.max_delay_s)
            if backoffs is None:
                await sleep(delay)
            else:
                await backoffs.sleep(delay, sleep)
    raise AssertionError("unreachable: the loop returns or raises")
