"""The runner's live events beyond status changes: progress, the runs each
batch finished (``run.batch``) and the leaderboard's top rows. docs/api.md,
"Live sweeps", lists their payloads."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import transaction

from experiments.config_labels import config_label, row_label
from experiments.engine.events import (
    EndpointState,
    FinishedRun,
    Leaderboard,
    publish,
)
from experiments.engine.progress import ProgressMeter, naive_calls, stage_count
from experiments.engine.store.records import RunResult
from experiments.models import Run, Sweep, SweepEvent

log = logging.getLogger(__name__)
# A run.batch event carries at most this many runs; a bigger batch is split.
RUNS_PER_EVENT = 200
LEADERBOARD_TOP = 10


def start_meter(sweep_id: int) -> ProgressMeter:
    """A runner's meter, counting what the runs before it finished."""
    sweep = Sweep.objects.get(pk=sweep_id)
    return ProgressMeter(stage_count(sweep.spec), naive_calls(sweep))


def progress(
    sweep_id: int, meter: ProgressMeter, endpoints: dict[str, EndpointState]
) -> Sweep:
    """Publish the sweep's progress (its counters, read now, and the
    endpoints' limit state the runner saw); return the sweep."""
    sweep = Sweep.objects.get(pk=sweep_id)
    publish(sweep_id, "sweep.progress", meter.payload(sweep, endpoints))
    return sweep


def publish_runs(
    sweep_id: int, results: Sequence[RunResult], costs: Sequence[float | None]
) -> None:
    """``run.batch`` events for runs just written (in the writer's
    transaction): ``costs`` are their stored totals, in the same order."""
    ids = [r.run_id for r in results]
    rows = {
        row[0]: row[1:]
        for row in Run.objects.filter(pk__in=ids).values_list(
            "id", "config_hash", "config", "item_id", "sample_index"
        )
    }
    labels: dict[str, str] = {}
    runs: list[FinishedRun] = []
    for r, cost in zip(results, costs, strict=True):
        config_hash, config, item_id, sample = rows[r.run_id]
        if config_hash not in labels:
            labels[config_hash] = config_label(config)
        runs.append(
            FinishedRun(
                id=r.run_id,
                config={"id": config_hash, "label": labels[config_hash]},
                item=item_id,
                sample=sample,
                status=r.status,
                score=_rounded(r.score),
                scores={row.scorer: round(row.value, 4) for row in r.scores},
                cache_hit=r.cache_hit,
                latency_ms=_rounded(r.latency_ms, 1),
                cost=_rounded(cost, 8),
                error_kind=r.error_kind,
                # A pipeline's: the stage it failed in, else its last one.
                stage=r.trace[-1]["stage"] if r.trace else None,
            )
        )
    for start in range(0, len(runs), RUNS_PER_EVENT):
        publish(sweep_id, "run.batch", {"runs": runs[start : start + RUNS_PER_EVENT]})


def publish_leaderboard(sweep_id: int, *, final: bool = False) -> bool:
    """Publish the sweep's top configs unless the last leaderboard event
    already says the same (a final one: unless it was final too). Returns
    whether it published. Once the sweep has ended every board is final
    (runs still out when it was cancelled land after its first final one).

    A failure is logged, not raised: a live view's board is not worth a
    sweep's run, its status or a cancel (nothing of it is kept then)."""
    try:
        return _publish_leaderboard(sweep_id, final)
    except Exception:
        log.warning("could not publish sweep %s's leaderboard", sweep_id, exc_info=True)
        return False


@transaction.atomic
def _publish_leaderboard(sweep_id: int, final: bool) -> bool:
    # The sweep row first: a cancel cannot land between the status read
    # and the event.
    status = (
        Sweep.objects.select_for_update()
        .values_list("status", flat=True)
        .get(pk=sweep_id)
    )
    final = final or status in Sweep.FINAL
    board = Run.objects.filter(sweep_id=sweep_id).leaderboard()
    rows = [{**row, "label": row_label(row)} for row in board[:LEADERBOARD_TOP]]
    payload = Leaderboard(rows=rows, configs=len(board), final=final)
    last = (
        SweepEvent.objects.filter(sweep_id=sweep_id, type="leaderboard")
        .order_by("-seq")
        .values_list("payload", flat=True)
        .first()
    )
    if (
        last is not None
        and last.get("rows") == rows
        and last.get("configs") == len(board)
        and (last.get("final") or not final)
    ):
        return False
    publish(sweep_id, "leaderboard", payload)
    return True


def _rounded(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)
