"""The runner: one asyncio loop per sweep, batches of runs, one writer.

Per batch: one cache lookup; hits complete at once, misses go to the adapter
under the sweep's concurrency gate and the endpoint's limits; results are
scored and written in bulk. Every attempt (a run's or a judge's) holds one
slot of the gate and one of the endpoint's limiter while it is out, and
neither while it backs off. A control loop reads status and concurrency every
``POLL_S`` (steering applies live) and heartbeats the sweep's lease, so a
runner that dies is replaced (``store.claim``) without the broker's help.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections

from adapters.base import AdapterError, BaseAdapter, Completion, served_model
from adapters.circuit import CircuitBreaker
from adapters.http import PooledClient
from adapters.limits import EndpointLimiter
from adapters.registry import build_adapter
from adapters.retry import RetryPolicy, call_with_retries
from experiments.engine import cache, store
from experiments.engine.lookups import LookupBatcher
from experiments.engine.scoring import RunScorer
from experiments.models import CachedResponse, Run, Sweep
from experiments.spec import templates

log = logging.getLogger(__name__)
POLL_S = 0.25
FLUSH_S = 0.2
# Once every run is dispatched: the last flush waits on the sweep's end, so
# keep what is left for it small.
DRAIN_FLUSH_S = 0.02
PROGRESS_S = 1.0
Status = Sweep.Status


def db(function: Callable):
    return sync_to_async(function, thread_sensitive=True)


class Gate:
    """A semaphore whose limit can change while it is in use.

    A freed slot goes straight to the oldest waiter: the waiter does not
    re-take a lock and re-check, which cost a loop turn or two per request
    (a few percent of a 100 ms call under load)."""

    def __init__(self, limit: int):
        self.limit, self.active = limit, 0
        self.waiters: deque[asyncio.Future] = deque()

    async def acquire(self) -> None:
        if self.active < self.limit and not self.waiters:
            self.active += 1
            return
        future = asyncio.get_running_loop().create_future()
        self.waiters.append(future)
        try:
            await future  # set when a slot is handed over; active counts it
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # handed over, then cancelled: give it back
            raise

    def release(self) -> None:
        self.active -= 1
        self._hand_over()

    def set_limit(self, limit: int) -> None:
        self.limit = max(1, limit)
        self._hand_over()

    def _hand_over(self) -> None:
        while self.waiters and self.active < self.limit:
            future = self.waiters.popleft()
            if not future.done():  # a cancelled waiter is skipped
                self.active += 1
                future.set_result(None)


class Stopped(Exception):
    """The sweep stopped before this run's first request went out: it stays
    pending for whoever runs the sweep next."""


@dataclass
class Prepared:
    run_id: int
    config: dict
    item: tuple
    sample: int
    messages: list[dict]
    body: dict
    key: str
    # Why the prompt could not be rendered for this item (a template over the
    # render limits, say): the run fails with it and nothing is sent.
    error: str = ""


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
        # Swapped for empty lists by each flush: never hold on to one across
        # an await (append a result only once it is complete), or what is
        # added lands in a list that was already written, and is lost.
        self.results: list[store.RunResult] = []
        self.judge_entries: list[cache.Entry] = []  # the judge's fresh responses
        self.tasks: set[asyncio.Task] = set()
        self.inflight: dict[str, asyncio.Future] = {}
        self.failures: dict[tuple[str, str], tuple[int, str]] = {}
        self.stopping = False
        self.drained = asyncio.Event()
        self.draining = False  # every run dispatched; the last calls are out
        self.fully_planned = False  # the plan's rest is inserted after wave one
        self.room = asyncio.Event()  # set when a run task finishes
        self.resumed = asyncio.Event()
        self.resumed.set()
        self.rng = random.Random()
        self.policy = RetryPolicy(
            attempts=settings.MAX_ATTEMPTS, base_delay_s=settings.RETRY_BASE_DELAY_S
        )

    # --- lifecycle -------------------------------------------------------
    async def run(self) -> str:
        """Run until nothing is pending, the sweep is cancelled or the deadline
        passes; return the sweep's status ("busy" if another runner holds it)."""
        self.token = await db(store.claim)(self.sweep_id)
        if self.token is None:
            return "busy"
        try:
            self.ctx = await db(store.load_context)(self.sweep_id)
            # The first wave's rows now, the rest once those calls are out.
            await db(store.plan_runs)(self.ctx, first=self.ctx.concurrency)
            await db(store.start)(self.sweep_id, self.token)
            self.gate = Gate(self.ctx.concurrency)
            self.judge_lookups = LookupBatcher(
                lambda keys: db(store.lookup)(self.ctx.scope, keys)
            )
            self.scorer = RunScorer(self.ctx.spec["scorers"], self.judge)
            async with PooledClient() as client:
                self.adapters: dict[str, BaseAdapter] = {
                    name: build_adapter(config, client)
                    for name, config in self.ctx.endpoints.items()
                }
                self.limiters = {
                    name: EndpointLimiter(config)
                    for name, config in self.ctx.endpoints.items()
                }
                self.breakers = {
                    name: CircuitBreaker(
                        name,
                        settings.CIRCUIT_BREAKER_AFTER,
                        settings.CIRCUIT_BREAKER_RESET_S,
                    )
                    for name in self.ctx.endpoints
                }
                control = asyncio.create_task(self.control_loop())
                writer = asyncio.create_task(self.writer_loop())
                try:
                    await self.produce()
                    await self.plan_rest()  # even if stopped early
                    self.draining = True
                    while self.tasks:
                        await asyncio.wait(set(self.tasks))
                finally:
                    control.cancel()
                    self.stopping = True
                    self.drained.set()  # the writer flushes now, not after a sleep
                    await writer
            status = await db(store.finish)(self.sweep_id, self.token)
        except Exception as exc:
            log.exception("sweep %s failed", self.sweep_id)
            await self.flush()
            status = await db(store.finish)(self.sweep_id, self.token, f"{exc}")
        finally:
            # The DB thread outlives this loop; do not leave its connection open.
            await db(connections.close_all)()
        return status

    async def control_loop(self) -> None:
        while True:
            status, concurrency, ours = await db(store.control)(
                self.sweep_id, self.token
            )
            past_deadline = (
                self.deadline is not None and time.monotonic() > self.deadline
            )
            if not ours or status in Sweep.FINAL or past_deadline:
                self.stopping = True
            if status == Status.PAUSED and not self.stopping:
                self.resumed.clear()
            else:
                if status == Status.QUEUED:  # resumed while we were holding it
                    await db(store.start)(self.sweep_id, self.token)
                self.resumed.set()
            if concurrency != self.gate.limit:
                self.gate.set_limit(concurrency)
            await asyncio.sleep(POLL_S)

    async def writer_loop(self) -> None:
        last_progress = 0.0
        while not (self.stopping and not self.tasks):
            with contextlib.suppress(TimeoutError):
                interval = DRAIN_FLUSH_S if self.draining else FLUSH_S
                await asyncio.wait_for(self.drained.wait(), interval)
            wrote = await self.flush()
            if wrote and time.monotonic() - last_progress >= PROGRESS_S:
                last_progress = time.monotonic()
                await self.report_progress()
        await self.flush()
        await self.report_progress()

    async def flush(self) -> int:
        batch, self.results = self.results, []
        entries, self.judge_entries = self.judge_entries, []
        if batch or entries:
            await db(store.write_results)(self.sweep_id, batch, entries)
        return len(batch)

    async def report_progress(self) -> None:
        sweep = await db(store.progress)(self.sweep_id)
        if self.on_progress:
            self.on_progress(sweep)

    # --- producing work --------------------------------------------------
    async def produce(self) -> None:
        after = 0
        while not self.stopping:
            await self.resumed.wait()
            # A first batch of one wave: the first calls go out without
            # waiting for a whole batch's cache lookup.
            limit = self.batch_size if after else min(self.gate.limit, self.batch_size)
            rows = await db(store.fetch_pending)(self.sweep_id, after, limit)
            if not rows:
                return
            after = rows[-1][0]
            # Shared by the batch: messages, or why they cannot be rendered.
            rendered: dict[tuple[str, int], list[dict] | str] = {}
            prepared = []
            for p in (self.prepare(*row, rendered) for row in rows):
                if p.error:
                    self.results.append(self.failed(p, "template", p.error, 0))
                else:
                    prepared.append(p)
            hits = {}
            if not self.ctx.no_cache and prepared:
                hits = await db(store.lookup)(self.ctx.scope, [p.key for p in prepared])
            # Hits are scored together, so their judge lookups share queries.
            # (Gathered first: a judge call is an await, and a flush meanwhile
            # swaps self.results.)
            scored = await asyncio.gather(
                *(self.from_cache(p, hits[p.key]) for p in prepared if p.key in hits)
            )
            self.results.extend(scored)
            for p in prepared:
                if p.key not in hits:
                    task = asyncio.create_task(self.execute(p))
                    self.tasks.add(task)
                    task.add_done_callback(self.task_done)
            await self.plan_rest()
            # Keep about one batch queued behind the gate, no more. (Not
            # asyncio.wait: it hooks every pending task each time it is called.)
            while len(self.tasks) >= self.batch_size and not self.stopping:
                self.room.clear()
                await self.room.wait()

    async def plan_rest(self) -> None:
        if not self.fully_planned:
            await db(store.plan_runs)(self.ctx)
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

    # --- one run ---------------------------------------------------------
    async def execute(self, p: Prepared) -> None:
        try:
            completion, attempts, called = await self.complete_shared(p, run=True)
        except Stopped:
            return  # left pending for whoever runs the sweep next
        except AdapterError as exc:
            self.results.append(self.failed(p, exc.kind, exc.message, exc.attempts))
            return
        result = await self.completed(p, completion, attempts, called)
        self.results.append(result)  # only now: the await may have seen a flush

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

    async def complete_shared(
        self, p: Prepared, *, run: bool = False
    ) -> tuple[Completion, int, bool]:
        """Identical requests in flight at once share one call."""
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

            def attempt():
                nonlocal tries
                tries += 1
                # Only a run not yet sent stops with the sweep.
                return self.attempt(p, estimate, may_stop=run and tries == 1)

            completion, attempts = await call_with_retries(
                attempt, self.policy, rng=self.rng
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
        self.refuse_if_failing(pair)  # before queueing, too: skip at once
        while True:
            await self.take_slot(may_stop)
            try:
                async with self.limiters[endpoint].slot(estimate):
                    self.refuse_if_failing(pair)
                    wait = breaker.admit()
                    if wait is None:
                        return await self.send(p, pair, breaker)
            finally:
                self.gate.release()
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

    async def take_slot(self, may_stop: bool) -> None:
        """A gate slot, once the sweep is not paused."""
        await self.gate.acquire()
        while not self.resumed.is_set() and not self.stopping:
            self.gate.release()
            await self.resumed.wait()
            await self.gate.acquire()
        if self.stopping and may_stop:
            self.gate.release()
            raise Stopped

    def failed(self, p: Prepared, kind: str, message: str, attempts: int):
        return store.RunResult(
            run_id=p.run_id,
            status=Run.Status.FAILED,
            messages=p.messages,
            cache_key=p.key,
            error_kind=kind,
            error_message=message[:2000],
            attempts=attempts,
            called=attempts > 0,
        )

    async def completed(
        self, p: Prepared, completion: Completion, attempts: int, called: bool
    ) -> store.RunResult:
        cost = self.cost_of(p.config, completion)
        result = store.RunResult(
            run_id=p.run_id,
            status=Run.Status.DONE,
            messages=p.messages,
            output_text=completion.text,
            output_json=parse_json(completion.text),
            raw_response=completion.raw,
            served_model=completion.served_model,
            cache_key=p.key,
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
            cost=cost,
            latency_ms=completion.latency_ms,
            attempts=attempts,
            called=called,
        )
        if called:
            result.new_cache_entry = self.cache_entry(
                p.config, p.body, p.key, completion, cost
            )
        await self.scorer.score(result, p.item)
        return result

    async def from_cache(self, p: Prepared, row: CachedResponse) -> store.RunResult:
        completion = completion_from_row(row)
        result = await self.completed(p, completion, 0, False)
        result.cache_hit, result.cached_id = True, row.pk
        return result

    def cost_of(self, config: dict, completion: Completion) -> float | None:
        price = self.ctx.endpoints[config["endpoint"]].prices.get(config["model"])
        if not price:
            return None
        return (
            (completion.prompt_tokens or 0) * price.get("input_per_mtok", 0)
            + (completion.completion_tokens or 0) * price.get("output_per_mtok", 0)
        ) / 1_000_000

    def cache_entry(self, config, body, key, completion, cost) -> cache.Entry:
        endpoint = self.ctx.endpoints[config["endpoint"]]
        return cache.Entry(
            scope=self.ctx.scope,
            key=key,
            project_id=self.ctx.project_id,
            adapter=endpoint.kind,
            endpoint_url=endpoint.base_url,
            model=config["model"],
            request=body,
            response=completion.raw,
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
            cost=cost,
            latency_ms=completion.latency_ms,
        )

    # --- the judge's calls -------------------------------------------------
    async def judge(
        self,
        endpoint: str,
        model: str,
        messages: list,
        params: dict,
        usage: store.JudgeUsage | None = None,
    ) -> str:
        """llm_judge calls go through the same adapter, limits and cache.
        ``usage`` (one per scored run and scorer) adds up what they used."""
        usage = usage if usage is not None else store.JudgeUsage()
        if endpoint not in self.adapters:
            raise AdapterError(
                f'judge endpoint "{endpoint}" is not stored', retryable=False
            )
        config = self.ctx.endpoints[endpoint]
        body = self.adapters[endpoint].request_body(messages, model, params)
        key = cache.cache_key(config.kind, config.base_url, body, 0)
        if not self.ctx.no_cache:
            hit = await self.judge_lookups.get(key)
            if hit is not None:
                completion = completion_from_row(hit)
                usage.add(completion, hit.cost, calls=0, sent=False)
                return completion.text
        config_dict = {"endpoint": endpoint, "model": model, "params": params}
        p = Prepared(0, config_dict, (), 0, messages, body, key)
        try:
            completion, attempts, called = await self.complete_shared(p)
        except AdapterError as exc:
            usage.calls += exc.attempts  # failed requests were sent all the same
            raise
        cost = self.cost_of(config_dict, completion)
        usage.add(completion, cost, calls=attempts, sent=called)
        if called:
            self.judge_entries.append(
                self.cache_entry(config_dict, body, key, completion, cost)
            )
        return completion.text


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")  # NaN/Infinity: databases refuse them


def parse_json(text: str):
    """The output as JSON when the whole of it is valid JSON, else None."""
    # RecursionError: nested deeper than the parser goes; not JSON we can use.
    with contextlib.suppress(ValueError, RecursionError):
        return json.loads(text.strip(), parse_constant=_reject_constant)
    return None


def completion_from_row(row: CachedResponse) -> Completion:
    try:
        choice = row.response["choices"][0]
        text = choice["message"].get("content") or ""
    except (KeyError, IndexError, TypeError, AttributeError):
        text, choice = "", {}
    return Completion(
        text=text,
        raw=row.response,
        prompt_tokens=row.prompt_tokens,
        completion_tokens=row.completion_tokens,
        finish_reason=choice.get("finish_reason"),
        latency_ms=row.latency_ms or 0.0,
        served_model=served_model(row.response),
    )
