"""A pipeline's stage calls shared within a sweep, on their own: what the
runs waiting on a call get when it fails, stops or is cancelled, and what
is remembered for the runs that come later."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from adapters.base import AdapterError
from experiments.engine.stage_calls import StageCall, StageCalls
from experiments.engine.steering import Stopped
from experiments.engine.work import Outbox


def stage_calls(outcomes: list) -> tuple[StageCalls, list]:
    """StageCalls whose fetches wait until released, then give (or raise)
    the next of ``outcomes``; the list of fetches made is returned too."""
    calls = StageCalls(
        ctx=None, adapters={}, caller=None, lookups=None, outbox=Outbox()
    )
    made: list = []
    release = asyncio.Event()
    calls.release = release  # type: ignore[attr-defined]

    async def fetch(p):
        made.append(p.key)
        await release.wait()
        outcome = outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    calls.fetch = fetch  # type: ignore[method-assign]
    return calls, made


P = SimpleNamespace(key="k", config={"endpoint": "sim"})


async def two_waiters(calls: StageCalls):
    """One run making the call and one sharing it, the call then released."""
    first = asyncio.ensure_future(calls.get(P, keep=True))
    await asyncio.sleep(0)
    second = asyncio.ensure_future(calls.get(P, keep=True))
    await asyncio.sleep(0)
    calls.release.set()  # type: ignore[attr-defined]
    return await asyncio.wait_for(
        asyncio.gather(first, second, return_exceptions=True), timeout=5
    )


def test_a_shared_call_answers_both_runs_once():
    answer = StageCall(completion=None, cost=0.1, cached_id=None, attempts=1)
    calls, made = stage_calls([answer])
    first, second = asyncio.run(two_waiters(calls))
    assert first == (answer, True) and second == (answer, False)
    assert made == ["k"]


def test_a_failed_call_fails_its_sharer_too_counting_its_requests_once():
    error = AdapterError("boom", retryable=False, kind="http_500")
    error.attempts = 3
    calls, made = stage_calls([error])
    first, second = asyncio.run(two_waiters(calls))
    assert first is error
    assert isinstance(second, AdapterError) and second.attempts == 0
    assert second.kind == "http_500"
    assert calls.outbox.spent.calls == 3
    # A later run using the same request fails alike, without a new call.
    later = asyncio.run(asyncio.wait_for(_get_error(calls), 5))
    assert isinstance(later, AdapterError) and made == ["k"]


async def _get_error(calls: StageCalls):
    try:
        await calls.get(P, keep=True)
    except AdapterError as exc:
        return exc


@pytest.mark.parametrize("stop", [Stopped(), asyncio.CancelledError()])
def test_a_stopped_call_stops_its_sharer_and_is_forgotten(stop):
    calls, made = stage_calls([stop])
    first, second = asyncio.run(two_waiters(calls))
    assert type(first) is type(stop) and type(second) is type(stop)
    assert "k" not in calls.calls and made == ["k"]  # the next sweep run asks again
    assert calls.outbox.spent.calls == 0


def test_a_last_stage_call_is_not_kept_and_its_failure_counts():
    error = AdapterError("gone", retryable=False, kind="http_404")
    calls, made = stage_calls([error])
    calls.release.set()  # type: ignore[attr-defined]

    async def last_stage():
        try:
            await calls.get(P, keep=False)
        except AdapterError as exc:
            return exc

    assert asyncio.run(last_stage()) is error
    assert calls.calls == {} and calls.outbox.spent.calls == 1 and made == ["k"]
