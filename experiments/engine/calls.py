"""Requests to the models: one call shared by identical requests in flight,
retries, and, per attempt, a gate slot and an endpoint slot held only while
it is out. Fail-fast (a model failing systemically) and each endpoint's
circuit breaker decide, once both slots are held, whether to send at all."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable

from django.conf import settings

from adapters.base import AdapterError, BaseAdapter, Completion, EndpointConfig
from adapters.circuit import CircuitBreaker
from adapters.limits import EndpointLimiter
from adapters.retry import Backoffs, RetryPolicy, call_with_retries
from experiments.engine.events import EndpointState
from experiments.engine.steering import Steering
from experiments.engine.work import Prepared


class Caller:
    def __init__(
        self,
        adapters: dict[str, BaseAdapter],
        endpoints: dict[str, EndpointConfig],
        steering: Steering,
    ):
        self.adapters = adapters
        self.steering = steering
        self.limiters = {
            name: EndpointLimiter(config) for name, config in endpoints.items()
        }
        self.breakers = {
            name: CircuitBreaker(
                name, settings.CIRCUIT_BREAKER_AFTER, settings.CIRCUIT_BREAKER_RESET_S
            )
            for name in endpoints
        }
        self.backoffs = {name: Backoffs() for name in endpoints}
        self.policy = RetryPolicy(
            attempts=settings.MAX_ATTEMPTS, base_delay_s=settings.RETRY_BASE_DELAY_S
        )
        self.rng = random.Random()
        self.inflight: dict[str, asyncio.Future] = {}
        self.failures: dict[tuple[str, str], tuple[int, str]] = {}

    async def complete_shared(
        self, p: Prepared, *, run: bool = False
    ) -> tuple[Completion, int, bool]:
        """(completion, attempts, called). Identical requests in flight at
        once share one call; the callers that joined it sent nothing."""
        shared = self.inflight.get(p.key)
        if shared is not None:
            try:
                return await asyncio.shield(shared), 0, False
            except AdapterError as exc:
                raise exc.shared() from None
        future = asyncio.get_running_loop().create_future()
        self.inflight[p.key] = future
        try:
            estimate = sum(len(m.get("content", "")) for m in p.messages) // 4
            estimate += int(p.config["params"].get("max_tokens") or 256)
            tries = 0

            def attempt() -> Awaitable[Completion]:
                nonlocal tries
                tries += 1
                # Only a run not yet sent stops with the sweep.
                return self.attempt(p, estimate, may_stop=run and tries == 1)

            completion, attempts = await call_with_retries(
                attempt,
                self.policy,
                rng=self.rng,
                backoffs=self.backoffs[p.config["endpoint"]],
            )
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it themselves
            raise
        else:
            future.set_result(completion)
            return completion, attempts, True
        finally:
            self.inflight.pop(p.key, None)

    async def attempt(self, p: Prepared, estimate: int, may_stop: bool) -> Completion:
        """One request, holding a gate slot and an endpoint slot only while
        it is out. Whether to send is decided after both are held (what
        happened while this waited for them counts): the model is failing
        (fail-fast), the endpoint is unreachable (its circuit breaker)."""
        pair = (p.config["endpoint"], p.config["model"])
        endpoint = pair[0]
        breaker = self.breakers[endpoint]
        steering = self.steering
        self.refuse_if_failing(pair)  # before queueing, too: skip at once
        while True:
            await steering.take_slot(may_stop)
            try:
                async with self.limiters[endpoint].slot(estimate):
                    self.refuse_if_failing(pair)
                    wait = breaker.admit()
                    if wait is None:
                        return await self.send(p, pair, breaker)
            finally:
                steering.gate.release()
            await wait  # a probe of the endpoint is out: its outcome decides

    async def send(
        self, p: Prepared, pair: tuple[str, str], breaker: CircuitBreaker
    ) -> Completion:
        adapter = self.adapters[pair[0]]
        try:
            completion = await adapter.complete(p.messages, pair[1], p.config["params"])
        except AdapterError as exc:
            breaker.record(exc)
            self.note_outcome(pair, exc)
            raise
        except BaseException:
            breaker.abandon()
            raise
        breaker.record(None)
        self.note_outcome(pair, None)
        return completion

    def refuse_if_failing(self, pair: tuple[str, str]) -> None:
        count, reason = self.failures.get(pair, (0, ""))
        if count >= settings.FAIL_FAST_AFTER:
            raise AdapterError(
                f"not sent: {reason}", retryable=False, kind="skipped", sent=False
            )

    def note_outcome(self, pair: tuple[str, str], exc: AdapterError | None) -> None:
        """Count systemic failures in a row (a refused key, an unknown model);
        any other answer shows the model works, errors about one request
        (a prompt too long) included."""
        if exc is None or not exc.systemic:
            if pair in self.failures:
                del self.failures[pair]
            return
        count, _ = self.failures.get(pair, (0, ""))
        reason = f"{pair[0]}/{pair[1]} failed {count + 1} times in a row: {exc.message}"
        self.failures[pair] = (count + 1, reason)

    def limit_state(self) -> dict[str, EndpointState]:
        """Per endpoint, right now: requests past its limits and out, held
        back by a limit, sleeping before a retry (and how soon the first
        wakes), and its circuit breaker's state. Cheap: counters only."""
        state = {}
        for name, limiter in self.limiters.items():
            backoffs = self.backoffs[name]
            next_in = backoffs.next_in()
            state[name] = EndpointState(
                in_flight=limiter.in_flight,
                waiting=limiter.waiting(),
                backoff=len(backoffs),
                next_retry_s=None if next_in is None else round(next_in, 2),
                circuit=self.breakers[name].state,
            )
        return state
