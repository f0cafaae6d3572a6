"""The circuit breaker's states exactly: the threshold counted to the
failure, what resets the count, and who wakes when a probe ends."""

from __future__ import annotations

import asyncio

import pytest

from adapters.base import AdapterError
from adapters.circuit import (
    BROKEN,
    CLOSED,
    OPEN,
    PROBING,
    CircuitBreaker,
    is_connection_failure,
)

REFUSED = AdapterError("refused", retryable=True, kind="connect")
SLOW = AdapterError("timed out", retryable=True, kind="timeout")


def in_loop(scenario):
    async def wrapper():
        scenario()

    asyncio.run(wrapper())


def test_only_connection_failures_count():
    assert is_connection_failure(REFUSED)
    assert not is_connection_failure(SLOW)
    assert not is_connection_failure(ConnectionError("not an AdapterError"))


def test_the_circuit_opens_exactly_at_the_threshold():
    breaker = CircuitBreaker("sim", threshold=3)
    breaker.record(REFUSED)
    breaker.record(REFUSED)
    assert (breaker.state, breaker.failures) == (CLOSED, 2)
    breaker.record(REFUSED)
    assert (breaker.state, breaker.failures) == (OPEN, 3)
    assert breaker.reason == "3 connection failures in a row: refused"


def test_a_success_or_another_error_resets_the_count():
    breaker = CircuitBreaker("sim", threshold=2)
    breaker.record(REFUSED)
    breaker.record(None)
    breaker.record(REFUSED)
    assert (breaker.state, breaker.failures) == (CLOSED, 1)
    breaker.record(SLOW)  # the server answered, slowly: it is alive
    assert (breaker.state, breaker.failures) == (CLOSED, 0)


def test_the_threshold_is_at_least_one_and_the_defaults():
    assert CircuitBreaker("sim", threshold=0).threshold == 1
    default = CircuitBreaker("sim")
    assert (default.threshold, default.reset_s, default.state) == (5, 30.0, CLOSED)


def test_a_closed_circuit_admits_without_waiting():
    breaker = CircuitBreaker("sim")
    assert breaker.admit() is None and breaker.probe is None


def test_a_broken_circuit_refuses_until_reset_s_has_passed():
    def scenario():
        breaker = CircuitBreaker("sim", threshold=1, reset_s=60)
        breaker.record(REFUSED)
        assert breaker.admit() is None
        assert breaker.state == PROBING
        breaker.record(REFUSED)
        assert breaker.state == BROKEN and breaker.probe is None
        with pytest.raises(AdapterError):
            breaker.admit()
        breaker.broken_at -= 61  # as if reset_s had passed
        assert breaker.admit() is None and breaker.state == PROBING

    in_loop(scenario)


def test_an_abandoned_probe_lets_another_probe():
    def scenario():
        breaker = CircuitBreaker("sim", threshold=1)
        breaker.record(REFUSED)
        assert breaker.admit() is None
        waiting = breaker.admit()
        assert waiting is breaker.probe
        breaker.abandon()
        assert waiting.done() and breaker.state == OPEN and breaker.probe is None
        assert breaker.admit() is None and breaker.state == PROBING
        closed = CircuitBreaker("sim")
        closed.abandon()  # nothing out: nothing changes
        assert closed.state == CLOSED

    in_loop(scenario)


def test_a_probe_that_connects_closes_and_wakes_the_waiters():
    def scenario():
        breaker = CircuitBreaker("sim", threshold=1)
        breaker.record(REFUSED)
        breaker.admit()
        waiting = breaker.admit()
        breaker.record(None)
        assert (breaker.state, breaker.failures) == (CLOSED, 0)
        assert waiting.done() and breaker.probe is None

    in_loop(scenario)


def test_reset_s_is_counted_inclusively(monkeypatch):
    from adapters import circuit

    now = [500.0]
    monkeypatch.setattr(circuit.time, "monotonic", lambda: now[0])

    def scenario():
        breaker = CircuitBreaker("sim", threshold=1, reset_s=30)
        breaker.record(REFUSED)
        breaker.admit()
        breaker.record(REFUSED)  # broken at 500
        now[0] = 529.5
        with pytest.raises(AdapterError):
            breaker.admit()
        now[0] = 530.0  # exactly reset_s later: probe again
        assert breaker.admit() is None and breaker.state == PROBING

    in_loop(scenario)


def test_a_waiter_that_gave_up_does_not_break_the_wake_up():
    def scenario():
        breaker = CircuitBreaker("sim", threshold=1)
        breaker.record(REFUSED)
        breaker.admit()
        waiting = breaker.admit()
        waiting.cancel()  # the waiting run was cancelled
        breaker.record(None)
        assert breaker.state == CLOSED

    in_loop(scenario)
