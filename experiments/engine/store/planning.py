"""The sweep's Run rows: planned once, inserted in two steps."""

from __future__ import annotations

from django.db import transaction

from experiments.engine import bulk
from experiments.engine.planner import plan
from experiments.engine.store.context import SweepContext
from experiments.models import Run, Sweep


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
    if sweep.status == Sweep.Status.CANCELLED:  # cancelled before these rows existed
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
