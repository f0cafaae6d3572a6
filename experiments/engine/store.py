"""Every database read and write of the runner, batched.

The runner calls these through ``sync_to_async(thread_sensitive=True)``, so
they all run on one thread: one writer, as SQLite needs.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from adapters.base import EndpointConfig
from experiments.engine import cache
from experiments.engine.events import publish
from experiments.engine.planner import Config, plan
from experiments.models import CachedResponse, Endpoint, Run, Score, Sweep

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


@dataclass
class RunResult:
    """What the writer stores for one finished run."""

    run_id: int
    status: str
    messages: list | None = None
    output_text: str = ""
    output_json: object = None
    raw_response: dict | None = None
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
    scores: list[Score] = field(default_factory=list)
    cached_id: int | None = None  # the cache entry it was served from
    new_cache_row: CachedResponse | None = None
    called: bool = False  # an HTTP request was actually sent for it


def load_context(sweep_id: int) -> SweepContext:
    sweep = Sweep.objects.select_related("experiment__dataset").get(pk=sweep_id)
    experiment = sweep.experiment
    spec = sweep.spec or experiment.spec
    limit = spec["dataset"].get("limit")
    rows = list(experiment.dataset.active_items())[:limit]
    names = {m["endpoint"] for m in spec["models"]} | {
        s["endpoint"] for s in spec["scorers"] if s["type"] == "llm_judge"
    }
    endpoints = {
        e.name: EndpointConfig(
            name=e.name,
            base_url=e.base_url,
            kind=e.kind,
            api_key=e.resolved_api_key(),
            max_concurrency=e.max_concurrency,
            rpm=e.rpm,
            tpm=e.tpm,
            timeout_s=e.timeout_s,
            prices=e.prices or {},
        )
        for e in Endpoint.objects.filter(project=experiment.project, name__in=names)
    }
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
def plan_runs(context: SweepContext) -> int:
    """Create the sweep's Run rows once (idempotent); return how many exist."""
    sweep = Sweep.objects.select_for_update().get(pk=context.sweep_id)
    if sweep.planned:
        return sweep.planned
    item_ids = list(context.items)
    _insert_runs(
        sweep.pk,
        (
            (p.config, item_ids[p.item_index], p.sample_index)
            for p in plan(context.spec, len(item_ids))
        ),
    )
    sweep.planned = sweep.runs.count()
    sweep.save(update_fields=["planned"])
    return sweep.planned


def _insert_runs(sweep_id: int, planned: Iterable[tuple[Config, int, int]]) -> None:
    """INSERT through executemany with each field's default: building a Run
    instance per row cost more than the rest of planning together."""
    given = ("sweep", "config_hash", "config", "item", "sample_index")
    fields = [f for f in Run._meta.concrete_fields if not f.primary_key]
    defaults = {
        f.name: f.get_db_prep_save(f.get_default(), connection)
        for f in fields
        if f.name not in given
    }
    config_field = Run._meta.get_field("config")
    prepared: dict[int, tuple[str, object]] = {}  # by id: planners reuse configs
    rows = []
    for config, item_id, sample in planned:
        if id(config) not in prepared:
            as_json = config_field.get_db_prep_save(config.as_dict(), connection)
            prepared[id(config)] = (config.hash, as_json)
        config_hash, as_json = prepared[id(config)]
        values = {
            "sweep": sweep_id,
            "config_hash": config_hash,
            "config": as_json,
            "item": item_id,
            "sample_index": sample,
            **defaults,
        }
        rows.append([values[f.name] for f in fields])
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {quote(Run._meta.db_table)} ({columns}) VALUES ({marks}) "
        "ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            cursor.executemany(sql, rows[start : start + 1000])


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


def _update_runs(results: list[RunResult], now) -> None:
    """One parameterised UPDATE per run through executemany: Django's
    bulk_update builds a CASE per field and row, which dominated the writer."""
    fields = [Run._meta.get_field(name) for name in _RUN_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(Run._meta.db_table)} SET {assignments} WHERE id = %s"
    rows = []
    for r in results:
        values = [
            now if f.name == "finished_at" else getattr(r, f.name) for f in fields
        ]
        prepared = [
            f.get_db_prep_save(v, connection)
            for f, v in zip(fields, values, strict=True)
        ]
        rows.append([*prepared, r.run_id])
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


@transaction.atomic
def write_results(
    sweep_id: int, results: list[RunResult], cache_rows: list[CachedResponse] = ()
) -> None:
    """One transaction per batch: runs, scores, cache rows, counters."""
    cache.store(list(cache_rows))
    if not results:
        return
    now = timezone.now()
    _update_runs(results, now)
    Score.objects.filter(run_id__in=[r.run_id for r in results]).delete()
    Score.objects.bulk_create([s for r in results for s in r.scores], batch_size=1000)
    cache.store([r.new_cache_row for r in results if r.new_cache_row is not None])
    hits: dict[int, int] = {}
    for r in results:
        if r.cached_id is not None:
            hits[r.cached_id] = hits.get(r.cached_id, 0) + 1
    cache.record_hits(hits)
    failed = [r for r in results if r.status == Run.Status.FAILED]
    Sweep.objects.filter(pk=sweep_id).update(
        done=F("done") + len(results),
        errors=F("errors") + len(failed),
        cache_hits=F("cache_hits") + sum(r.cache_hit for r in results),
        calls=F("calls") + sum(r.attempts for r in results if r.called),
        prompt_tokens=F("prompt_tokens")
        + sum(r.prompt_tokens or 0 for r in results if not r.cache_hit),
        completion_tokens=F("completion_tokens")
        + sum(r.completion_tokens or 0 for r in results if not r.cache_hit),
        cost=F("cost") + sum(r.cost or 0 for r in results if not r.cache_hit),
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
    """Close the sweep if nothing is pending; return its status."""
    sweep = Sweep.objects.get(pk=sweep_id)
    if sweep.lease != token:
        return sweep.status
    pending = sweep.runs.filter(status=Run.Status.PENDING).exists()
    if error:
        new = Status.FAILED
    elif sweep.status == Status.CANCELLED or pending:
        new = sweep.status
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
