"""Every database read and write of the runner, batched.

The runner calls these through ``sync_to_async(thread_sensitive=True)``, so
they all run on one thread: one writer, as SQLite needs.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from adapters.base import Completion, EndpointConfig
from experiments.engine import bulk, cache
from experiments.engine import endpoints as sweep_endpoints
from experiments.engine.events import publish
from experiments.engine.planner import plan
from experiments.models import CachedResponse, Run, Score, Sweep

Status = Sweep.Status


@dataclass
class SweepContext:
    """What the runner needs, loaded once."""

    sweep_id: int
    project_id: int
    spec: dict
    items: dict[int, tuple[dict, object, list]]  # item pk -> (input, expected, tags)
    endpoints: dict[str, EndpointConfig]
    prompts: dict[str, list[dict]]
    scope: str
    no_cache: bool
    concurrency: int
    plan_rows: list[tuple] | None = None  # computed once, inserted in two steps


class ScoreRow(NamedTuple):
    scorer: str
    value: float
    weight: float
    detail: object
    error: str


@dataclass
class JudgeUsage:
    """What a run's llm_judge calls used. ``calls``: requests this run sent
    (retries and failures included). Tokens and cost: of every reply it got,
    from the cache or a call it shared included (the run's totals); the
    ``sent_`` ones only of replies its own calls fetched (what the sweep
    spent). ``cost`` stays None unless the judge model has a price."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = None
    sent_prompt_tokens: int = 0
    sent_completion_tokens: int = 0
    sent_cost: float = 0.0

    def add(
        self, completion: Completion, cost: float | None, *, calls: int, sent: bool
    ) -> None:
        self.calls += calls
        prompt, output = (
            completion.prompt_tokens or 0,
            completion.completion_tokens or 0,
        )
        self.prompt_tokens += prompt
        self.completion_tokens += output
        if cost is not None:
            self.cost = (self.cost or 0.0) + cost
        if sent:
            self.sent_prompt_tokens += prompt
            self.sent_completion_tokens += output
            self.sent_cost += cost or 0.0

    def merge(self, other: JudgeUsage) -> None:
        self.calls += other.calls
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        if other.cost is not None:
            self.cost = (self.cost or 0.0) + other.cost
        self.sent_prompt_tokens += other.sent_prompt_tokens
        self.sent_completion_tokens += other.sent_completion_tokens
        self.sent_cost += other.sent_cost

    def as_detail(self) -> dict:
        return {
            "calls": self.calls,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cost": self.cost,
        }


@dataclass
class RunResult:
    """What the writer stores for one finished run."""

    run_id: int
    status: str
    messages: list | None = None
    output_text: str = ""
    output_json: object = None
    raw_response: dict | None = None
    served_model: str = ""
    cache_key: str = ""
    cache_hit: bool = False
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost: float | None = None
    latency_ms: float | None = None
    score: float | None = None
    error_kind: str = ""
    error_message: str = ""
    attempts: int = 0
    scores: list[ScoreRow] = field(default_factory=list)
    cached_id: int | None = None  # the cache entry it was served from
    new_cache_entry: cache.Entry | None = None
    called: bool = False  # an HTTP request was actually sent for it
    # The judge's part, added to the run's tokens and cost when written
    # (the fields above are the model's own: the cache and scorers see those).
    judge: JudgeUsage | None = None


def load_context(sweep_id: int) -> SweepContext:
    sweep = Sweep.objects.select_related("experiment__dataset").get(pk=sweep_id)
    experiment = sweep.experiment
    spec = sweep.spec or experiment.spec
    limit = spec["dataset"].get("limit")
    rows = list(experiment.dataset.active_items())[:limit]
    # What the sweep was started with, not the endpoints' current rows.
    endpoints = sweep_endpoints.resolve(sweep)
    return SweepContext(
        sweep_id=sweep.pk,
        project_id=experiment.project_id,
        spec=spec,
        items={row.pk: (row.input, row.expected, row.tags) for row in rows},
        endpoints=endpoints,
        prompts={p["name"]: p["messages"] for p in spec["prompts"]},
        scope=cache.cache_scope(experiment.project_id),
        no_cache=sweep.no_cache,
        concurrency=sweep.concurrency,
    )


def claim(sweep_id: int) -> str | None:
    """Take the sweep's lease unless a live runner holds it. Returns the token."""
    token = uuid.uuid4().hex
    now = timezone.now()
    stale = now - timedelta(seconds=settings.HEARTBEAT_STALE_S)
    free = Q(lease="") | Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stale)
    taken = (
        Sweep.objects.filter(pk=sweep_id, status__in=[Status.QUEUED, Status.RUNNING])
        .filter(free)
        .update(lease=token, heartbeat_at=now)
    )
    return token if taken else None


@transaction.atomic
def plan_runs(context: SweepContext, first: int | None = None) -> int:
    """Create the sweep's Run rows (idempotent) and return how many it plans.

    With ``first``, a sweep with no rows yet gets only its first ``first``
    rows: the runner sends those calls, then asks again for the rest while
    they are in flight, so a large plan does not delay the first call. The
    sweep's ``planned`` is the whole plan's size from the first step on."""
    sweep = Sweep.objects.select_for_update().get(pk=context.sweep_id)
    made = sweep.runs.count()
    if sweep.planned and made >= sweep.planned:
        return sweep.planned
    if context.plan_rows is None:
        context.plan_rows = _plan_rows(context)
    rows = context.plan_rows
    if made:
        _insert_runs(rows, skip_existing=True)
    else:
        _insert_runs(rows[:first] if first else rows)
    if sweep.status == Status.CANCELLED:  # cancelled before these rows existed
        sweep.runs.filter(status=Run.Status.PENDING).update(status=Run.Status.CANCELLED)
    sweep.planned = len(rows)
    sweep.save(update_fields=["planned"])
    return sweep.planned


_GIVEN = ["sweep", "config_hash", "config", "item", "sample_index"]
_DEFAULTED = [
    f
    for f in Run._meta.concrete_fields
    if not (f.primary_key or f.null or f.name in _GIVEN)
]


def _plan_rows(context: SweepContext) -> list[tuple]:
    """The planner's runs as Run rows: every NOT NULL column gets its
    default, the rest stay NULL until the run is done. Duplicates (a model
    listed twice) are dropped."""
    item_ids = list(context.items)
    fixed = tuple(f.get_default() for f in _DEFAULTED)
    configs: dict[int, tuple[str, dict]] = {}  # by id: planners reuse configs
    rows, seen = [], set()
    for p in plan(context.spec, len(item_ids)):
        if id(p.config) not in configs:
            configs[id(p.config)] = (p.config.hash, p.config.as_dict())
        config_hash, as_dict = configs[id(p.config)]
        key = (config_hash, item_ids[p.item_index], p.sample_index)
        if key not in seen:
            seen.add(key)
            rows.append((context.sweep_id, config_hash, as_dict, *key[1:], *fixed))
    return rows


def _insert_runs(rows: list[tuple], skip_existing: bool = False) -> None:
    """Building a Run instance per row cost more than the rest of planning."""
    bulk.insert(
        Run,
        [*_GIVEN, *(f.name for f in _DEFAULTED)],
        rows,
        unique=["sweep", "config_hash", "item", "sample_index"]
        if skip_existing
        else (),
    )


def start(sweep_id: int, token: str) -> None:
    now = timezone.now()
    updated = Sweep.objects.filter(
        pk=sweep_id, lease=token, status=Status.QUEUED
    ).update(status=Status.RUNNING, started_at=now)
    Sweep.objects.filter(pk=sweep_id, started_at__isnull=True).update(started_at=now)
    if updated:
        publish(sweep_id, "status", {"status": Status.RUNNING})


def fetch_pending(sweep_id: int, after_id: int, limit: int) -> list[tuple]:
    return list(
        Run.objects.filter(
            sweep_id=sweep_id, status=Run.Status.PENDING, id__gt=after_id
        )
        .order_by("id")
        .values_list("id", "config", "item_id", "sample_index")[:limit]
    )


def lookup(scope: str, keys: list[str]) -> dict[str, CachedResponse]:
    return cache.lookup(scope, keys)


def control(sweep_id: int, token: str) -> tuple[str, int, bool]:
    """(status, concurrency, still ours), and a heartbeat while we are at it."""
    Sweep.objects.filter(pk=sweep_id, lease=token).update(heartbeat_at=timezone.now())
    status, concurrency, lease = Sweep.objects.values_list(
        "status", "concurrency", "lease"
    ).get(pk=sweep_id)
    return status, concurrency, lease == token


_RUN_FIELDS = [
    "status",
    "messages",
    "output_text",
    "output_json",
    "raw_response",
    "served_model",
    "cache_key",
    "cache_hit",
    "prompt_tokens",
    "completion_tokens",
    "cost",
    "latency_ms",
    "score",
    "error_kind",
    "error_message",
    "attempts",
    "finished_at",
]


_SCORE_FIELDS = ["run", *ScoreRow._fields]
_TOKENS_AT = _RUN_FIELDS.index("prompt_tokens") + 1  # after run_id
_COST_AT = _RUN_FIELDS.index("cost") + 1


def _run_row(r: RunResult, now) -> list:
    row = [r.run_id, *(getattr(r, f) for f in _RUN_FIELDS[:-1]), now]
    judge = r.judge
    if judge is not None:  # the run's totals: the model's and the judge's
        row[_TOKENS_AT] = (r.prompt_tokens or 0) + judge.prompt_tokens
        row[_TOKENS_AT + 1] = (r.completion_tokens or 0) + judge.completion_tokens
        if judge.cost is not None:
            row[_COST_AT] = (r.cost or 0.0) + judge.cost
    return row


@transaction.atomic
def write_results(
    sweep_id: int, results: list[RunResult], entries: Iterable[cache.Entry] = ()
) -> None:
    """One transaction per batch: cache entries, runs, scores, counters."""
    fresh = [r.new_cache_entry for r in results if r.new_cache_entry is not None]
    cache.store([*entries, *fresh])
    if not results:
        return
    now = timezone.now()
    bulk.update(Run, _RUN_FIELDS, (_run_row(r, now) for r in results))
    # An upsert: a runner that lost its lease may have scored the same run.
    bulk.insert(
        Score,
        _SCORE_FIELDS,
        ((r.run_id, *row) for r in results for row in r.scores),
        unique=["run", "scorer"],
        update=["value", "weight", "detail", "error"],
    )
    hits: dict[int, int] = {}
    for r in results:
        if r.cached_id is not None:
            hits[r.cached_id] = hits.get(r.cached_id, 0) + 1
    cache.record_hits(hits)
    failed = [r for r in results if r.status == Run.Status.FAILED]
    # What the sweep spent: the judge's replies only when its calls sent them.
    judged = [r.judge for r in results if r.judge is not None]
    Sweep.objects.filter(pk=sweep_id).update(
        done=F("done") + len(results),
        errors=F("errors") + len(failed),
        cache_hits=F("cache_hits") + sum(r.cache_hit for r in results),
        calls=F("calls")
        + sum(r.attempts for r in results if r.called)
        + sum(j.calls for j in judged),
        prompt_tokens=F("prompt_tokens")
        + sum(r.prompt_tokens or 0 for r in results if not r.cache_hit)
        + sum(j.sent_prompt_tokens for j in judged),
        completion_tokens=F("completion_tokens")
        + sum(r.completion_tokens or 0 for r in results if not r.cache_hit)
        + sum(j.sent_completion_tokens for j in judged),
        cost=F("cost")
        + sum(r.cost or 0 for r in results if not r.cache_hit)
        + sum(j.sent_cost for j in judged),
        heartbeat_at=now,
    )


def progress(sweep_id: int) -> Sweep:
    sweep = Sweep.objects.get(pk=sweep_id)
    publish(
        sweep_id,
        "progress",
        {
            "planned": sweep.planned,
            "done": sweep.done,
            "errors": sweep.errors,
            "cache_hits": sweep.cache_hits,
            "calls": sweep.calls,
            "cost": sweep.cost,
        },
    )
    return sweep


def finish(sweep_id: int, token: str, error: str = "") -> str:
    """Close the sweep if nothing is pending; return its status. A sweep in
    which no run succeeded failed: CI trusts the exit code it leads to. One
    with some successes completed, its failed runs counted in ``errors``."""
    sweep = Sweep.objects.get(pk=sweep_id)
    if sweep.lease != token:
        return sweep.status
    pending = sweep.runs.filter(status=Run.Status.PENDING).exists()
    if error:
        new = Status.FAILED
    elif sweep.status == Status.CANCELLED or pending:
        new = sweep.status
    elif not sweep.runs.filter(status=Run.Status.DONE).exists():
        new = Status.FAILED
        error = f"no run succeeded ({sweep.errors} of {sweep.planned} failed)"
    else:
        new = Status.COMPLETED
    fields = {"lease": ""}
    if new != sweep.status or new in Sweep.FINAL:
        fields.update(status=new)
        if new in Sweep.FINAL and sweep.finished_at is None:
            fields["finished_at"] = timezone.now()
        if error:
            fields["error_message"] = error[:2000]
    Sweep.objects.filter(pk=sweep_id, lease=token).update(**fields)
    if new != sweep.status:
        publish(sweep_id, "status", {"status": new, "error": error})
    return new
