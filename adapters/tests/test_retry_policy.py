"""Retries: how many attempts, which errors, how long between them, and how
``Retry-After`` is read. Pure functions and a recorded ``sleep``."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from adapters.base import AdapterError
from adapters.retry import RetryPolicy, call_with_retries, parse_retry_after


class MaxRng(random.Random):
    """``uniform(a, b)`` always returns ``b``: the backoff's ceiling."""

    def uniform(self, a: float, b: float) -> float:
        return b


def test_the_policy_defaults():
    policy = RetryPolicy()
    assert (policy.attempts, policy.base_delay_s, policy.max_delay_s) == (4, 0.5, 30.0)


def test_backoff_doubles_from_the_base_and_is_capped():
    policy = RetryPolicy(base_delay_s=0.5, max_delay_s=3.0)
    ceilings = [policy.backoff(attempt, MaxRng()) for attempt in (1, 2, 3, 4, 5)]
    assert ceilings == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_backoff_is_full_jitter_from_zero():
    rng = random.Random(1)
    delays = [RetryPolicy(base_delay_s=1.0).backoff(3, rng) for _ in range(200)]
    assert all(0 <= d <= 4.0 for d in delays)
    assert min(delays) < 0.5  # from zero, not from a floor


@pytest.mark.parametrize(
    ("header", "seconds"),
    [(None, None), ("", None), (" 7 ", 7.0), ("0", 0.0), ("-3", 0.0), ("1.5", 1.5)],
)
def test_retry_after_in_seconds(header, seconds):
    assert parse_retry_after(header) == seconds


def test_retry_after_as_an_http_date():
    when = datetime.now(UTC) + timedelta(seconds=120)
    delay = parse_retry_after(format_datetime(when, usegmt=True))
    assert 100 < delay <= 120
    past = datetime.now(UTC) - timedelta(seconds=120)
    assert parse_retry_after(format_datetime(past, usegmt=True)) == 0.0
    # A date without a zone is read as UTC.
    naive = (datetime.now(UTC) + timedelta(seconds=120)).strftime(
        "%a, %d %b %Y %H:%M:%S"
    )
    assert 100 < parse_retry_after(naive) <= 120


def test_a_retry_after_that_is_neither_is_ignored():
    assert parse_retry_after("soon") is None


def attempts_of(outcomes: list, policy: RetryPolicy, rng=None):
    """Run ``call_with_retries`` over ``outcomes`` (errors raised in turn,
    anything else returned); (result or the error, calls, sleeps)."""
    calls, sleeps = [], []

    async def attempt_once():
        outcome = outcomes[len(calls)]
        calls.append(outcome)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def go():
        try:
            return await call_with_retries(
                attempt_once, policy, rng=rng or MaxRng(), sleep=sleep
            )
        except AdapterError as exc:
            return exc

    return asyncio.run(go()), len(calls), sleeps


def retryable(**kwargs) -> AdapterError:
    return AdapterError("HTTP 503", retryable=True, kind="http_503", **kwargs)


def test_success_after_retries_returns_the_result_and_the_attempts():
    policy = RetryPolicy(attempts=4, base_delay_s=1.0, max_delay_s=30.0)
    result, calls, sleeps = attempts_of([retryable(), retryable(), "ok"], policy)
    assert result == ("ok", 3) and calls == 3
    assert sleeps == [1.0, 2.0]


def test_attempts_run_out_and_the_last_error_is_raised_with_the_count():
    policy = RetryPolicy(attempts=3, base_delay_s=1.0)
    errors = [retryable(), retryable(), retryable()]
    exc, calls, sleeps = attempts_of(errors, policy)
    assert exc is errors[-1] and exc.attempts == 3
    assert calls == 3 and len(sleeps) == 2  # no sleep after the last attempt


def test_a_permanent_error_is_not_retried():
    permanent = AdapterError("HTTP 400", retryable=False, kind="http_400")
    exc, calls, sleeps = attempts_of([permanent, "ok"], RetryPolicy())
    assert (exc, exc.attempts, calls, sleeps) == (permanent, 1, 1, [])


def test_an_error_not_sent_is_not_counted():
    unsent = AdapterError("not sent", retryable=False, kind="unreachable", sent=False)
    exc, _, _ = attempts_of([retryable(), unsent], RetryPolicy())
    assert exc.attempts == 1


def test_retry_after_is_honoured_and_capped():
    policy = RetryPolicy(attempts=3, base_delay_s=1.0, max_delay_s=10.0)
    errors = [retryable(retry_after=4.0), retryable(retry_after=99.0), "ok"]
    result, _, sleeps = attempts_of(errors, policy)
    assert result == ("ok", 3) and sleeps == [4.0, 10.0]
    zero = [retryable(retry_after=0.0), "ok"]
    assert attempts_of(zero, policy)[2] == [0.0]  # 0 is a delay, not "none"


def test_one_attempt_means_no_retry():
    exc, calls, _ = attempts_of([retryable(), "ok"], RetryPolicy(attempts=1))
    assert isinstance(exc, AdapterError) and calls == 1


def test_a_policy_is_immutable():
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        RetryPolicy().attempts = 1


def test_without_an_rng_the_backoff_draws_its_own():
    sleeps = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    outcomes = [retryable(), "ok"]

    async def attempt_once():
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    policy = RetryPolicy(base_delay_s=1.0)
    result = asyncio.run(call_with_retries(attempt_once, policy, sleep=sleep))
    assert result == ("ok", 2) and 0 <= sleeps[0] <= 1.0
