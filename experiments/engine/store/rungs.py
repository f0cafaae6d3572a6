"""A guided sweep's Run rows, a step (or rung) at a time, and what they found.

The search decides each step from the runs stored for it, so a runner that
replays the search after a crash reads the same outcomes and decides the
same: nothing here depends on anything but the rows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery

from experiments.engine.planner import Config
from experiments.engine.store.context import SweepContext
from experiments.engine.store.planning import _DEFAULTED, _insert_runs
from experiments.models import Run, Sweep, SweepEvent

FINISHED = (Run.Status.DONE, Run.Status.FAILED)


@transaction.atomic
def insert_step(
    context: SweepContext, wanted: list[tuple[Config, list[int]]], later: int
) -> None:
    """Rows for each config on its items x samples, those not stored yet.
    The sweep's ``planned`` becomes its rows plus ``later``: the most the
    bracket's steps after this one add."""
    sweep = Sweep.objects.select_for_update().get(pk=context.sweep_id)
    fixed = tuple(f.get_default() for f in _DEFAULTED)
    rows = [
        (context.sweep_id, config.hash, config.as_dict(), item, sample, *fixed)
        for config, item_ids in wanted
        for item in item_ids
        for sample in range(context.spec["samples"])
    ]
    _insert_runs(rows, skip_existing=True)
    if sweep.status == Sweep.Status.CANCELLED:  # cancelled before these rows existed
        sweep.runs.filter(status=Run.Status.PENDING).update(status=Run.Status.CANCELLED)
    sweep.planned = sweep.runs.count() + later
    sweep.save(update_fields=["planned"])


@dataclass
class Outcome:
    """A config's runs on its items so far."""

    runs: int = 0
    unfinished: int = 0  # pending (stopped before its call), or cancelled
    calls: int = 0  # finished runs that were not cache hits: the budget spent
    score: float = 0.0  # sums; a failed run scores 0
    cost: float = 0.0
    latency: float = 0.0
    timed: int = 0  # runs with a latency

    @property
    def done(self) -> int:
        return self.runs - self.unfinished

    def values(self, objectives: list[str]) -> tuple[float, ...]:
        """The objectives' means, each higher-is-better."""
        done = max(1, self.done)
        means = {
            "score": self.score / done,
            "-cost": -self.cost / done,
            "-latency": -self.latency / max(1, self.timed),
        }
        return tuple(round(means[name], 9) for name in objectives)


def step_outcomes(sweep_id: int, items_of: dict[str, list[int]]) -> dict[str, Outcome]:
    """Each config's outcome on its own items (``items_of[config_hash]``)."""
    found = {h: Outcome() for h in items_of}
    wanted = {h: set(items) for h, items in items_of.items()}
    every = set().union(*wanted.values()) if wanted else set()
    rows = Run.objects.filter(
        sweep_id=sweep_id, config_hash__in=list(items_of), item_id__in=every
    ).values_list(
        "config_hash", "item_id", "status", "score", "cost", "latency_ms", "cache_hit"
    )
    for config_hash, item, status, score, cost, latency, cache_hit in rows.iterator():
        if item not in wanted[config_hash]:
            continue
        outcome = found[config_hash]
        outcome.runs += 1
        if status not in FINISHED:
            outcome.unfinished += 1
            continue
        outcome.calls += not cache_hit
        outcome.score += score or 0.0
        outcome.cost += cost or 0.0
        if latency is not None:
            outcome.latency += latency
            outcome.timed += 1
    return found


def published_rungs(sweep_id: int) -> set[tuple[int, int]]:
    """(bracket, rung or step) of the decisions already in the sweep's event log: a
    runner replaying the search after a crash does not announce them again."""
    payloads = SweepEvent.objects.filter(
        sweep_id=sweep_id, type="guided.rung"
    ).values_list("payload", flat=True)
    return {(p["bracket"], p["rung"]) for p in payloads}


def known_configs(sweep_id: int) -> list[dict]:
    """The configs the experiment's earlier sweeps have finished runs of
    (before this sweep was created, so a resumed search sees the same),
    most items first: their runs are likely in the cache, free to reuse."""
    sweep = Sweep.objects.only("experiment_id", "created_at").get(pk=sweep_id)
    earlier = Run.objects.filter(
        sweep__experiment_id=sweep.experiment_id,
        sweep__created_at__lt=sweep.created_at,
        status=Run.Status.DONE,
        finished_at__lt=sweep.created_at,
    )
    one = earlier.filter(config_hash=OuterRef("config_hash")).values("config")[:1]
    rows = (
        earlier.order_by()
        .values("config_hash")
        .annotate(items=Count("item", distinct=True), config=Subquery(one))
        .order_by("-items", "config_hash")
    )
    return [row["config"] for row in rows]


def guided_pick(sweep_id: int) -> dict | None:
    """A guided sweep's pick: the best config evaluated on every item, as
    its last ``guided.rung`` event names it (None before the first full
    rung)."""
    payload = (
        SweepEvent.objects.filter(sweep_id=sweep_id, type="guided.rung")
        .order_by("-seq")
        .values_list("payload", flat=True)
        .first()
    )
    return payload.get("best") if payload else None
