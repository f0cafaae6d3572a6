"""Per-endpoint limits: the token bucket's refill and waits, and the slot
that takes from both buckets."""

from __future__ import annotations

import asyncio

import pytest

from adapters import limits
from adapters.base import EndpointConfig
from adapters.limits import EndpointLimiter, TokenBucket


class Clock:
    """``time.monotonic`` and ``asyncio.sleep`` on a fake clock."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(limits.time, "monotonic", fake.monotonic)
    monkeypatch.setattr(limits.asyncio, "sleep", fake.sleep)
    return fake


def test_a_bucket_starts_full_and_refills_at_per_minute_over_60(clock):
    bucket = TokenBucket(120)
    assert (bucket.capacity, bucket.rate, bucket.tokens) == (120.0, 2.0, 120.0)
    asyncio.run(bucket.take(120))
    assert bucket.tokens == 0.0 and clock.sleeps == []
    clock.now += 10
    bucket._refill()
    assert bucket.tokens == 20.0
    clock.now += 1000
    bucket._refill()
    assert bucket.tokens == 120.0  # never above the capacity


def test_taking_more_than_is_left_waits_for_exactly_the_refill(clock):
    bucket = TokenBucket(60)  # one token per second
    asyncio.run(bucket.take(58))
    asyncio.run(bucket.take(5))  # 2 left: waits 3 s
    assert clock.sleeps == [3.0]
    assert bucket.tokens == 0.0


def test_taking_exactly_what_is_left_does_not_wait(clock):
    bucket = TokenBucket(60)
    asyncio.run(bucket.take(60))
    assert clock.sleeps == [] and bucket.tokens == 0.0


def test_an_oversized_request_waits_for_a_full_bucket_only(clock):
    bucket = TokenBucket(60)
    asyncio.run(bucket.take(10))
    asyncio.run(bucket.take(500))  # capped at the capacity: waits for 10 tokens
    assert clock.sleeps == [10.0]
    assert bucket.tokens == 0.0


def test_the_limiter_uses_only_the_buckets_configured(clock):
    endpoint = EndpointConfig(
        name="sim", base_url="http://x/v1", max_concurrency=0, rpm=60, tpm=600
    )
    limiter = EndpointLimiter(endpoint)
    assert limiter.semaphore._value == 1  # at least one in flight

    async def use():
        async with limiter.slot(estimated_tokens=100):
            pass

    asyncio.run(use())
    assert (limiter.rpm.tokens, limiter.tpm.tokens) == (59.0, 500.0)
    bare = EndpointLimiter(EndpointConfig(name="s", base_url="http://x/v1"))
    assert bare.rpm is None and bare.tpm is None
    assert (
        bare.semaphore._value == EndpointConfig(name="s", base_url="h").max_concurrency
    )


def test_a_request_takes_one_token_by_default(clock):
    bucket = TokenBucket(60)
    asyncio.run(bucket.take())
    assert bucket.tokens == 59.0


def test_a_refill_counts_each_second_once(clock):
    bucket = TokenBucket(60)
    asyncio.run(bucket.take(60))
    clock.now += 10
    bucket._refill()
    bucket._refill()
    assert bucket.tokens == 10.0


def test_tokens_refilled_while_idle_are_used_without_waiting(clock):
    bucket = TokenBucket(120)  # two tokens per second
    asyncio.run(bucket.take(120))
    clock.now += 5
    asyncio.run(bucket.take(10))
    assert clock.sleeps == [] and bucket.tokens == 0.0
    asyncio.run(bucket.take(4))
    assert clock.sleeps == [2.0]
