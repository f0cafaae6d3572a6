"""A pipeline's stage calls: each through the cache, the limits, retries and
the in-flight dedupe, and kept for the sweep, so every config that agrees on
the stages so far uses one call (3 + 9 calls per item for 3 x 3 choices, not
18), however far apart in time their runs get there."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from adapters.base import AdapterError, BaseAdapter, Completion
from experiments.engine.calls import Caller
from experiments.engine.lookups import LookupBatcher
from experiments.engine.results import cache_entry, cached_completion, cost_of
from experiments.engine.steering import Stopped
from experiments.engine.store.context import SweepContext
from experiments.engine.work import Outbox, Prepared


@dataclass
class StageCall:
    completion: Completion
    cost: float | None
    cached_id: int | None  # the cache entry it was served from
    attempts: int  # requests sent for it


class StageCalls:
    def __init__(
        self,
        ctx: SweepContext,
        adapters: dict[str, BaseAdapter],
        caller: Caller,
        lookups: LookupBatcher,
        outbox: Outbox,
    ):
        self.ctx = ctx
        self.adapters = adapters
        self.caller = caller
        self.lookups = lookups
        self.outbox = outbox
        # Cache key -> the call, for the sweep: the writer stores fresh
        # responses a moment later, and a later run of another config must
        # not call again meanwhile. Failures are kept too (errors are never
        # cached, but within a sweep every run that uses a failed call fails
        # with it); a stop is not (the runs stay pending).
        self.calls: dict[str, asyncio.Future[StageCall]] = {}

    async def get(self, p: Prepared, *, keep: bool) -> tuple[StageCall, bool]:
        """(the call, whether this caller made it). ``keep``: share it with
        later runs (a last stage's request is one config's own: kept, the
        sweep would hold every answer in memory for nothing)."""
        if not keep:
            try:
                return await self.fetch(p), True
            except AdapterError as exc:
                self.outbox.spent.calls += exc.attempts
                raise
        shared = self.calls.get(p.key)
        if shared is not None:
            try:
                return await asyncio.shield(shared), False
            except AdapterError as exc:
                raise exc.shared() from None
        future: asyncio.Future[StageCall] = asyncio.get_running_loop().create_future()
        self.calls[p.key] = future
        try:
            call = await self.fetch(p)
        except AdapterError as exc:
            self.outbox.spent.calls += exc.attempts
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it themselves
            raise
        except BaseException as exc:
            del self.calls[p.key]
            if isinstance(exc, Stopped):
                future.set_exception(Stopped())
                future.exception()
            else:
                future.cancel()
            raise
        future.set_result(call)
        return call, True

    async def fetch(self, p: Prepared) -> StageCall:
        adapter = self.adapters[p.config["endpoint"]]
        if not self.ctx.no_cache:
            hit = await self.lookups.get(p.key)
            if hit is not None:
                return StageCall(cached_completion(adapter, hit), hit.cost, hit.pk, 0)
        completion, attempts, called = await self.caller.complete_shared(p, run=True)
        cost = cost_of(self.ctx, p.config, completion)
        if called:
            self.outbox.judge_entries.append(
                cache_entry(self.ctx, p.config, p.body, p.key, completion, cost)
            )
        # Counted now, in the sweep's totals (calls, tokens, cost spent).
        self.outbox.spent.add(completion, cost, calls=attempts, sent=called)
        return StageCall(completion, cost, None, attempts if called else 0)
