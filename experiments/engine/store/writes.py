"""The writer's one transaction per batch: cache entries, runs, scores, the
sweep's counters and the batch's ``run.batch`` events."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import ParamSpec, TypeVar

from django.db import OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from experiments.engine import bulk, cache
from experiments.engine.store.records import JudgeUsage, RunResult, ScoreRow
from experiments.engine.store.reports import publish_runs
from experiments.models import Run, Score, Sweep

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
    "trace",
    "finished_at",
]


_SCORE_FIELDS = ["run", *ScoreRow._fields]
_TOKENS_AT = _RUN_FIELDS.index("prompt_tokens") + 1  # after run_id
_COST_AT = _RUN_FIELDS.index("cost") + 1


def _run_row(r: RunResult, now: datetime) -> list:
    row = [r.run_id, *(getattr(r, f) for f in _RUN_FIELDS[:-1]), now]
    for extra in (r.judge, r.upstream):
        if extra is not None:  # the run's totals: the model's, stages', judge's
            row[_TOKENS_AT] = (row[_TOKENS_AT] or 0) + extra.prompt_tokens
            row[_TOKENS_AT + 1] = (row[_TOKENS_AT + 1] or 0) + extra.completion_tokens
            if extra.cost is not None:
                row[_COST_AT] = (row[_COST_AT] or 0.0) + extra.cost
    return row


P = ParamSpec("P")
R = TypeVar("R")
DEADLOCK_RETRIES = 3


def _retry_deadlocks(write: Callable[P, R]) -> Callable[P, R]:
    """Two sweeps sharing cache entries count hits on the same rows, each in
    its own order; PostgreSQL then aborts one batch as a deadlock. The batch
    rolled back whole, so writing it again is safe."""

    @functools.wraps(write)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        attempt = 1
        while True:
            try:
                return write(*args, **kwargs)
            except OperationalError as error:
                deadlock = getattr(error.__cause__, "sqlstate", None) == "40P01"
                if not deadlock or attempt == DEADLOCK_RETRIES:
                    raise
            time.sleep(0.05 * attempt)
            attempt += 1

    return wrapper


@_retry_deadlocks
@transaction.atomic
def write_results(
    sweep_id: int,
    results: list[RunResult],
    entries: Iterable[cache.Entry] = (),
    spent: JudgeUsage | None = None,
    key_hits: dict[tuple[str, str], int] | None = None,
) -> None:
    """One transaction per batch: cache entries, runs, scores, counters.
    ``spent``: what stage calls sent, whichever runs they end up in;
    ``key_hits``: runs served a stage answer fetched by this sweep, by
    (scope, key) (stored by now: its entry is in this batch or an earlier one)."""
    # Lock order sweep -> runs, as steering and planning take them: cancelling
    # a sweep while a batch lands would otherwise deadlock on PostgreSQL.
    list(Sweep.objects.select_for_update().filter(pk=sweep_id).values_list("pk"))
    fresh = [r.new_cache_entry for r in results if r.new_cache_entry is not None]
    cache.store([*entries, *fresh])
    if key_hits:
        cache.record_key_hits(key_hits)
    if not results and not (spent and spent.calls):  # key hits: recorded above
        return
    now = timezone.now()
    rows = [_run_row(r, now) for r in results]
    if rows:
        bulk.update(Run, _RUN_FIELDS, rows)
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
        for cached_id in (r.cached_id, *r.upstream_hits):
            if cached_id is not None:
                hits[cached_id] = hits.get(cached_id, 0) + 1
    cache.record_hits(hits)
    failed = [r for r in results if r.status == Run.Status.FAILED]
    # What the sweep spent: the judge's replies only when its calls sent them.
    judged = [r.judge for r in results if r.judge is not None]
    judged += [spent] if spent is not None else []
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
    if results:  # in this transaction: the event and the runs land together
        publish_runs(sweep_id, results, [row[_COST_AT] for row in rows])
