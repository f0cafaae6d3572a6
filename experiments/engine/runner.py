"""The runner: one asyncio loop per sweep, batches of runs, one writer.

Per batch: one cache lookup; hits complete at once, misses go to the adapter
under the sweep's concurrency gate and the endpoint's limits; results are
scored and written in bulk. Every attempt (a run's or a judge's) holds one
slot of the gate and one of the endpoint's limiter while it is out, and
neither while it backs off. A control loop reads status and concurrency every
``POLL_S`` (steering applies live) and heartbeats the sweep's lease, so a
runner that dies is replaced (``store.claim``) without the broker's help.

This module is the lifecycle (claim, start, control, write, finish); the
parts it wires together each have their own module:

- ``production``: pending runs in batches, rendered, cache hits, tasks
- ``calls``: shared calls, retries, slots, fail-fast, circuit breakers
- ``results``: completions and failures as run results (cost, cache entry)
- ``judging``: the llm_judge's calls
- ``steering``: the gate, pause and stop; ``work``: what the parts pass on
- ``store``: every database read and write (one thread)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.db import connections

from adapters.http import PooledClient
from adapters.registry import build_adapter
from experiments.engine import store
from experiments.engine.calls import Caller
from experiments.engine.caps import CapWatch
from experiments.engine.events import EndpointState
from experiments.engine.guided import GuidedSearch, is_guided
from experiments.engine.judging import Judge
from experiments.engine.lookups import LookupBatcher
from experiments.engine.pipeline import PipelineRuns
from experiments.engine.production import Producer
from experiments.engine.progress import ProgressMeter
from experiments.engine.results import ResultBuilder
from experiments.engine.scoring import RunScorer
from experiments.engine.stage_calls import StageCalls
from experiments.engine.steering import Steering
from experiments.engine.work import Outbox
from experiments.models import Sweep
from experiments.spec.stages import stages_of

log = logging.getLogger(__name__)
POLL_S = 0.25
FLUSH_S = 0.25
# Once every run is dispatched: the last flush waits on the sweep's end, so
# keep what is left for it small.
DRAIN_FLUSH_S = 0.02
# Live events. Progress at most 5 a second: 4 while running, spaced from one
# event's write to the next decision, leave room for the final one in any
# second. The leaderboard at most once a second, and its recomputation (over
# every run so far: a large sweep's costs more) at most a tenth of the time.
PROGRESS_S = 0.25
LEADERBOARD_S = 1.0
LEADERBOARD_SHARE = 0.1
Status = Sweep.Status
P = ParamSpec("P")
R = TypeVar("R")


def db(function: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    return sync_to_async(function, thread_sensitive=True)


class SweepRunner:
    def __init__(
        self,
        sweep_id: int,
        *,
        deadline: float | None = None,
        on_progress: Callable[[Sweep], None] | None = None,
        batch_size: int = 256,
    ):
        self.sweep_id = sweep_id
        self.deadline = deadline
        self.on_progress = on_progress
        self.batch_size = batch_size
        self.outbox = Outbox()
        self.drained = asyncio.Event()
        self.draining = False  # every run dispatched; the last calls are out
        # Made at the first flush, before this runner writes (not before the
        # first calls go out).
        self.meter: ProgressMeter | None = None
        # One flush at a time: whoever flushes has every earlier result
        # written when it returns (guided search reads a rung's back).
        self.flushing = asyncio.Lock()

    async def run(self) -> str:
        """Run until nothing is pending, the sweep is cancelled or the deadline
        passes; return the sweep's status ("busy" if another runner holds it)."""
        token = await db(store.claim)(self.sweep_id)
        if token is None:
            return "busy"
        self.token = token
        try:
            self.ctx = ctx = await db(store.load_context)(self.sweep_id)
            guided = is_guided(ctx.spec)  # plans its rows a rung at a time
            unplanned = False  # stopped before the search planned every run
            if not guided:
                # The first wave's rows now, the rest once those calls are out.
                await db(store.plan_runs)(ctx, first=ctx.concurrency)
            await db(store.start)(self.sweep_id, self.token)
            self.steering = Steering(ctx.concurrency)
            self.caps = await CapWatch.load(self.sweep_id, db)
            async with PooledClient() as client:
                self.producer = self.wire(client)
                control = asyncio.create_task(self.control_loop())
                writer = asyncio.create_task(self.writer_loop())
                try:
                    if guided:
                        search = GuidedSearch(self)
                        await search.run()
                        unplanned = not search.ended
                    else:
                        await self.producer.produce()
                    await self.producer.plan_rest()  # even if stopped early
                    self.draining = True
                    while self.producer.tasks:
                        await asyncio.wait(set(self.producer.tasks))
                finally:
                    control.cancel()
                    self.steering.stopping = True
                    self.drained.set()  # the writer flushes now, not after a sleep
                    await writer
            status = await db(store.finish)(self.sweep_id, self.token, more=unplanned)
        except Exception as exc:
            log.exception("sweep %s failed", self.sweep_id)
            await self.flush()
            status = await db(store.finish)(self.sweep_id, self.token, f"{exc}")
        finally:
            # The DB thread outlives this loop; do not leave its connection open.
            await db(connections.close_all)()
        return status

    def wire(self, client: PooledClient) -> Producer:
        """The parts, sharing the steering, the adapters and the outbox."""
        ctx = self.ctx
        adapters = {
            name: build_adapter(config, client)
            for name, config in ctx.endpoints.items()
        }
        caller = Caller(adapters, ctx.endpoints, self.steering)
        lookups = LookupBatcher(lambda keys: db(store.lookup)(ctx.scope, keys))
        judge = Judge(ctx, adapters, caller, lookups, self.outbox)
        final = RunScorer(ctx.spec["scorers"], judge)
        builder = ResultBuilder(ctx, adapters, final)
        pipeline = None
        if len(stages_of(ctx.spec)) > 1:
            calls = StageCalls(ctx, adapters, caller, lookups, self.outbox)
            pipeline = PipelineRuns(ctx, calls, final, judge, self.outbox)
        return Producer(
            ctx,
            db,
            adapters=adapters,
            steering=self.steering,
            caller=caller,
            builder=builder,
            outbox=self.outbox,
            batch_size=self.batch_size,
            pipeline=pipeline,
        )

    async def control_loop(self) -> None:
        steering = self.steering
        while True:
            status, concurrency, ours = await db(store.control)(
                self.sweep_id, self.token
            )
            past_deadline = (
                self.deadline is not None and time.monotonic() > self.deadline
            )
            if not ours or status in Sweep.FINAL or past_deadline:
                steering.stopping = True
            if status == Status.PAUSED and not steering.stopping:
                steering.resumed.clear()
            else:
                if status == Status.QUEUED:  # resumed while we were holding it
                    await db(store.start)(self.sweep_id, self.token)
                steering.resumed.set()
            if concurrency != steering.gate.limit:
                steering.gate.set_limit(concurrency)
            if self.caps.active and not steering.stopping:
                await self.caps.check(self.producer.caller.limit_state())
            await asyncio.sleep(POLL_S)

    async def writer_loop(self) -> None:
        """Flush the outbox every ``FLUSH_S``; publish progress when something
        changed (runs written, calls made, an endpoint's limit state) and the
        leaderboard when runs were written, each at most at its rate (the
        leaderboard's slows down as it gets costly to recompute)."""
        last_progress = last_board = 0.0
        board_every = LEADERBOARD_S
        limits: dict = {}
        progress_stale = board_stale = False
        while not (self.steering.stopping and not self.producer.tasks):
            with contextlib.suppress(TimeoutError):
                interval = DRAIN_FLUSH_S if self.draining else FLUSH_S
                await asyncio.wait_for(self.drained.wait(), interval)
            wrote = await self.flush()
            progress_stale = progress_stale or wrote > 0
            board_stale = board_stale or wrote > 0
            now = time.monotonic()
            if now - last_progress >= PROGRESS_S:
                state = self.producer.caller.limit_state()
                if progress_stale or _limits_key(state) != _limits_key(limits):
                    limits, progress_stale = state, False
                    await self.report_progress(state)
                    last_progress = time.monotonic()
            if board_stale and now - last_board >= board_every:
                board_stale, started = False, time.monotonic()
                await db(store.publish_leaderboard)(self.sweep_id)
                last_board = time.monotonic()
                took = last_board - started
                board_every = max(LEADERBOARD_S, took / LEADERBOARD_SHARE)
        await self.flush()
        await self.report_progress(self.producer.caller.limit_state())

    async def flush(self) -> int:
        """Write what the outbox holds; return how many runs and calls that was."""
        async with self.flushing:
            batch, entries, spent, key_hits = self.outbox.take()
            if batch or entries or spent.calls or key_hits:
                meter = self.meter or await self.start_meter()  # before it writes
                await db(store.write_results)(
                    self.sweep_id, batch, entries, spent, key_hits
                )
                meter.add_runs(batch)
            return len(batch) + spent.calls

    async def start_meter(self) -> ProgressMeter:
        self.meter = await db(store.start_meter)(self.sweep_id)
        return self.meter

    async def report_progress(self, limits: dict[str, EndpointState]) -> None:
        meter = self.meter or await self.start_meter()
        sweep = await db(store.progress)(self.sweep_id, meter, limits)
        if self.on_progress:
            self.on_progress(sweep)


def _limits_key(state: dict[str, EndpointState]) -> list:
    """What makes the endpoints' limit state worth an event: counts and
    circuit states, not the next retry's countdown (a client counts it down)."""
    return [
        (name, s["in_flight"], s["waiting"], s["backoff"], s["circuit"])
        for name, s in state.items()
    ]
