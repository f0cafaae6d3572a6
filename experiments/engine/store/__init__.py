"""Every database read and write of the runner, batched.

The runner calls these through ``sync_to_async(thread_sensitive=True)``, so
they all run on one thread: one writer, as SQLite needs. It calls them by
this package's names (``store.lookup``), one namespace for the database side:

- ``context``: the sweep's context, loaded once; pending runs; cache lookups
- ``planning``: the Run rows, inserted in two steps
- ``lease``: the sweep row: lease, heartbeat, status
- ``writes``: the writer's batch (runs, scores, cache entries, counters)
- ``reports``: live events: progress, each batch's runs, the leaderboard
- ``records``: what the writer stores for a finished run (types only)
"""

from __future__ import annotations

from experiments.engine.store.context import fetch_pending, load_context, lookup
from experiments.engine.store.lease import claim, control, finish, start
from experiments.engine.store.planning import plan_runs
from experiments.engine.store.reports import (
    progress,
    publish_leaderboard,
    start_meter,
)
from experiments.engine.store.writes import write_results

__all__ = [
    "claim",
    "control",
    "fetch_pending",
    "finish",
    "load_context",
    "lookup",
    "plan_runs",
    "progress",
    "publish_leaderboard",
    "start",
    "start_meter",
    "write_results",
]
