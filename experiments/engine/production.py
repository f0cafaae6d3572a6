"""Producing work: pending runs in batches, rendered, looked up in the cache
(hits complete at once), misses sent as tasks. The first batch is one wave
(the first calls go out without waiting for a whole batch's lookup), and the
plan's rest is inserted once that wave is out."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import ParamSpec, Protocol, TypeVar

from adapters.base import AdapterError, BaseAdapter
from experiments.engine import cache, store
from experiments.engine.calls import Caller
from experiments.engine.pipeline import PipelineRuns
from experiments.engine.results import ResultBuilder
from experiments.engine.steering import Steering, Stopped
from experiments.engine.store.context import SweepContext
from experiments.engine.work import Outbox, Prepared
from experiments.spec import templates

P = ParamSpec("P")
R = TypeVar("R")


class Db(Protocol):
    """Runs a store function on the one database thread (runner.db)."""

    def __call__(self, function: Callable[P, R], /) -> Callable[P, Awaitable[R]]: ...


class Producer:
    def __init__(
        self,
        ctx: SweepContext,
        db: Db,
        *,
        adapters: dict[str, BaseAdapter],
        steering: Steering,
        caller: Caller,
        builder: ResultBuilder,
        outbox: Outbox,
        batch_size: int,
        pipeline: PipelineRuns | None = None,
    ):
        self.ctx, self.db = ctx, db
        self.adapters = adapters
        self.steering = steering
        self.caller = caller
        self.builder = builder
        self.outbox = outbox
        self.batch_size = batch_size
        self.pipeline = pipeline
        self.tasks: set[asyncio.Task] = set()
        self.room = asyncio.Event()  # set when a run task finishes
        self.fully_planned = False  # the plan's rest is inserted after wave one

    async def produce(self) -> None:
        after = 0
        steering, builder, outbox = self.steering, self.builder, self.outbox
        while not steering.stopping:
            await steering.resumed.wait()
            # A first batch of one wave: the first calls go out without
            # waiting for a whole batch's cache lookup.
            limit = (
                self.batch_size if after else min(steering.gate.limit, self.batch_size)
            )
            rows = await self.db(store.fetch_pending)(self.ctx.sweep_id, after, limit)
            if not rows:
                return
            after = rows[-1][0]
            if self.pipeline is not None:
                # A pipeline run looks its stages up one by one (batched by
                # time, ``LookupBatcher``): a stage's request needs the
                # earlier stages' answers.
                for row in rows:
                    self.spawn(self.pipeline.execute(*row))
                await self.plan_rest()
                await self.wait_for_room()
                continue
            # Shared by the batch: messages, or why they cannot be rendered.
            rendered: dict[tuple[str, int], list[dict] | str] = {}
            prepared = []
            for p in (self.prepare(*row, rendered) for row in rows):
                if p.error:
                    outbox.results.append(builder.failed(p, "template", p.error, 0))
                else:
                    prepared.append(p)
            hits = {}
            if not self.ctx.no_cache and prepared:
                keys = [p.key for p in prepared]
                hits = await self.db(store.lookup)(self.ctx.scope, keys)
            # Hits are scored together, so their judge lookups share queries.
            # (Gathered first: a judge call is an await, and a flush meanwhile
            # swaps the outbox's list.)
            scored = await asyncio.gather(
                *(builder.from_cache(p, hits[p.key]) for p in prepared if p.key in hits)
            )
            outbox.results.extend(scored)
            for p in prepared:
                if p.key not in hits:
                    self.spawn(self.execute(p))
            await self.plan_rest()
            await self.wait_for_room()

    def spawn(self, work: Coroutine) -> None:
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.task_done)

    async def wait_for_room(self) -> None:
        # Keep about one batch queued behind the gate, no more. (Not
        # asyncio.wait: it hooks every pending task each time it is called.)
        while len(self.tasks) >= self.batch_size and not self.steering.stopping:
            self.room.clear()
            await self.room.wait()

    async def plan_rest(self) -> None:
        if not self.fully_planned:
            await self.db(store.plan_runs)(self.ctx)
            self.fully_planned = True

    def task_done(self, task: asyncio.Task) -> None:
        self.tasks.discard(task)
        self.room.set()

    def prepare(
        self, run_id: int, config: dict, item_id: int, sample: int, rendered: dict
    ) -> Prepared:
        item = self.ctx.items[item_id]
        # Messages depend on the prompt and the item only, and a grid gives
        # each pair a run per model and parameter set: render each pair once.
        messages = rendered.get((config["prompt"], item_id))
        if messages is None:
            try:
                messages = templates.render_messages(
                    self.ctx.prompts[config["prompt"]], templates.item_context(*item)
                )
            except templates.RENDER_ERRORS as exc:
                messages = f"cannot render the prompt: {templates.render_error(exc)}"
            rendered[config["prompt"], item_id] = messages
        if isinstance(messages, str):  # the reason it could not be rendered
            return Prepared(run_id, config, item, sample, [], {}, "", messages)
        endpoint = self.ctx.endpoints[config["endpoint"]]
        adapter = self.adapters[config["endpoint"]]
        body = adapter.request_body(messages, config["model"], config["params"])
        key = cache.cache_key(endpoint.kind, endpoint.base_url, body, sample)
        return Prepared(run_id, config, item, sample, messages, body, key)

    async def execute(self, p: Prepared) -> None:
        """One run not in the cache: its call, then its result."""
        try:
            completion, attempts, called = await self.caller.complete_shared(
                p, run=True
            )
        except Stopped:
            return  # left pending for whoever runs the sweep next
        except AdapterError as exc:
            self.outbox.results.append(
                self.builder.failed(p, exc.kind, exc.message, exc.attempts)
            )
            return
        result = await self.builder.completed(p, completion, attempts, called)
        self.outbox.results.append(result)  # only now: the await may see a flush
