"""What the limits and the retry loop say about the requests they hold back,
as a live view reads it between two steps of the event loop."""

from __future__ import annotations

import asyncio

from adapters.base import AdapterError, EndpointConfig
from adapters.limits import EndpointLimiter, TokenBucket
from adapters.retry import Backoffs, RetryPolicy, call_with_retries


def test_requests_waiting_for_an_in_flight_slot_are_counted():
    limiter = EndpointLimiter(
        EndpointConfig(name="sim", base_url="http://x/v1", max_concurrency=1)
    )
    release = asyncio.Event()
    seen = []

    async def request():
        async with limiter.slot(estimated_tokens=10):
            await release.wait()

    async def scenario():
        tasks = [asyncio.create_task(request()) for _ in range(3)]
        await asyncio.sleep(0)
        seen.append((limiter.in_flight, limiter.waiting()))
        release.set()
        await asyncio.gather(*tasks)
        seen.append((limiter.in_flight, limiter.waiting()))

    asyncio.run(scenario())
    held = {"concurrency": 2, "rpm": 0, "tpm": 0}
    assert seen == [(1, held), (0, {"concurrency": 0, "rpm": 0, "tpm": 0})]


def test_requests_waiting_for_a_token_are_counted_and_passing_ones_are_not():
    bucket = TokenBucket(6000)  # 100 tokens a second

    async def scenario():
        await bucket.take(1)  # a token is there: it never waits
        assert bucket.waiting == 0
        bucket.tokens = 0.0
        tasks = [asyncio.create_task(bucket.take(1)) for _ in range(3)]
        await asyncio.sleep(0)
        during = bucket.waiting
        await asyncio.gather(*tasks)
        return during

    assert asyncio.run(scenario()) == 3
    assert bucket.waiting == 0


def test_requests_in_backoff_are_counted_with_the_time_to_the_next_retry():
    backoffs = Backoffs()
    policy = RetryPolicy(attempts=2, base_delay_s=0.01)
    seen = []

    async def failing():
        raise AdapterError("busy", retryable=True, status=429, retry_after=0.2)

    async def scenario():
        calls = [
            asyncio.create_task(call_with_retries(failing, policy, backoffs=backoffs))
            for _ in range(2)
        ]
        await asyncio.sleep(0.05)
        seen.append((len(backoffs), backoffs.next_in()))
        await asyncio.gather(*calls, return_exceptions=True)

    assert (len(backoffs), backoffs.next_in()) == (0, None)
    asyncio.run(scenario())
    (count, next_in), *_ = seen
    assert count == 2 and 0.1 < next_in <= 0.15
    assert (len(backoffs), backoffs.next_in()) == (0, None)
