"""Sweeps: start within a budget, read, wait (bounded, with progress
notifications), pause, resume, cancel, change concurrency."""

from __future__ import annotations

import inspect
import json
import time
from dataclasses import asdict
from typing import Annotated, Any

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from agents_mcp.auth import Caller
from agents_mcp.tools.common import as_caller, derive_schema, mine, one, register, valid
from experiments.api.serializers.sweeps import (
    StartSweepSerializer,
    SteerSerializer,
    SweepSerializer,
)
from experiments.models import Experiment, Sweep
from experiments.services.analysis import leaderboard
from experiments.services.budgets import (
    Budget,
    BudgetExceeded,
    agent_budget,
    start_sweep_within,
)
from experiments.services.sweeps import steer_sweep

WAIT_DEFAULT_S = 30.0
WAIT_MAX_S = 50.0  # under the usual 60 s client time-out
POLL_S = 1.0
BOARD_TOP = 10


def visible_sweep(caller: Caller, sweep: int) -> Sweep:
    sweeps = Sweep.objects.select_related("experiment__project")
    return one(sweeps.filter(experiment__project__in=caller.projects()), sweep, "Sweep")


def start_sweep(
    caller: Caller,
    experiment: int,
    max_runs: int | None = None,
    max_calls: int | None = None,
    max_cost: float | None = None,
    fail_if_rate_limited_s: float | None = None,
    strategy: dict[str, Any] | None = None,
    no_cache: bool = False,
    concurrency: int | None = None,
) -> dict:
    """Start a sweep of the experiment's current spec and return at once
    with its id, plan and estimate (editors). COSTS MONEY: every run calls
    the models. ``max_runs``, ``max_calls`` and ``max_cost`` (USD) are your
    budget: a sweep whose estimate exceeds one is refused (the error holds
    the estimate; lower ``strategy.budget`` or the grid), and a running one
    is stopped at ``max_calls`` / ``max_cost`` (status ``cancelled``,
    ``error_message`` saying why). The server caps agent sweeps too.
    ``fail_if_rate_limited_s``: stop if an endpoint stays rate-limited
    longer. Next: ``wait_for_sweep`` until it ends, then ``leaderboard``."""
    found = mine(caller, Experiment, experiment)
    caller.require(found.project, "editor")
    options = valid(
        StartSweepSerializer,
        {"strategy": strategy, "no_cache": no_cache, "concurrency": concurrency},
    )
    budget = agent_budget(
        Budget(max_runs, max_calls, max_cost, rate_limited_s=fail_if_rate_limited_s)
    )
    try:
        sweep, estimate = start_sweep_within(
            found,
            caller.user,
            budget,
            no_cache=options["no_cache"],
            concurrency=options.get("concurrency"),
            strategy=options.get("strategy"),
        )
    except BudgetExceeded as exc:
        body = {
            "detail": str(exc),
            "status": 400,
            "errors": [],
            "estimate": asdict(exc.estimate),
            "budget": asdict(exc.budget),
        }
        raise ToolError(json.dumps(body)) from exc
    return {
        "sweep": SweepSerializer(sweep).data,
        "estimate": asdict(estimate),
        "budget": asdict(budget),
        "concurrency": {
            name: endpoint.get("effective_concurrency")
            for name, endpoint in sweep.endpoints.items()
        },
        "next": f"wait_for_sweep(sweep={sweep.pk})",
    }


def sweep_state(caller: Caller, sweep: int, board: bool = True) -> dict:
    found = visible_sweep(caller, sweep)
    data: dict[str, Any] = {"sweep": SweepSerializer(found).data}
    data["final"] = found.is_final
    if board:
        data["leaderboard"] = leaderboard(found)[:BOARD_TOP]
    return data


def get_sweep(caller: Caller, sweep: int) -> dict:
    """A sweep's status and counters (planned, done, errors, cache hits,
    calls, tokens, cost, why it stopped) and its leaderboard's top rows so
    far. Free. A running sweep: ``wait_for_sweep``."""
    return sweep_state(caller, sweep)


async def wait_for_sweep(
    sweep: int,
    ctx: Context,
    timeout_s: Annotated[float, Field(gt=0, le=WAIT_MAX_S)] = WAIT_DEFAULT_S,
) -> dict:
    """Wait until the sweep ends or ``timeout_s`` passes (default 30, at most
    50), sending progress notifications (runs done of planned) meanwhile;
    return its status, counters and the leaderboard so far (partial while
    ``final`` is false: call again). Free."""
    deadline = time.monotonic() + timeout_s
    while True:
        state = await as_caller(sweep_state, sweep=sweep, board=False)
        counters = state["sweep"]
        await ctx.report_progress(
            counters["done"],
            counters["planned"] or None,
            f"{counters['status']}: {counters['done']}/{counters['planned']} runs",
        )
        if state["final"] or time.monotonic() + POLL_S > deadline:
            break
        await anyio.sleep(POLL_S)
    state = await as_caller(sweep_state, sweep=sweep)
    state["timed_out"] = not state["final"]
    return state


def _steer(caller: Caller, sweep: int, action: str, value: int | None = None) -> dict:
    found = visible_sweep(caller, sweep)
    caller.require(found.experiment.project, "editor")
    steered = steer_sweep(found, action, caller.user, value)
    steered.refresh_from_db()
    return {"sweep": SweepSerializer(steered).data}


def pause_sweep(caller: Caller, sweep: int) -> dict:
    """Pause a running sweep (editors): no new runs start, calls in flight
    finish and are kept. Free. ``resume_sweep`` continues it."""
    return _steer(caller, sweep, "pause")


def resume_sweep(caller: Caller, sweep: int) -> dict:
    """Resume a paused sweep where it stopped (editors); no run is done
    twice. Spends what the remaining runs cost."""
    return _steer(caller, sweep, "resume")


def cancel_sweep(caller: Caller, sweep: int) -> dict:
    """Cancel a sweep (editors): its runs not done are cancelled, it ends.
    What finished stays, with its leaderboard."""
    return _steer(caller, sweep, "cancel")


def set_sweep_concurrency(caller: Caller, sweep: int, concurrency: int) -> dict:
    """Change how many calls the sweep has in flight (editors); applies
    within a second. An endpoint's own max_concurrency still caps it."""
    value = valid(SteerSerializer, {"concurrency": concurrency})["concurrency"]
    return _steer(caller, sweep, "concurrency", value)


def register_all(server: MCPServer) -> None:
    for fn in (start_sweep, get_sweep, pause_sweep, resume_sweep, cancel_sweep):
        register(server, fn)
    register(server, set_sweep_concurrency)
    server.add_tool(wait_for_sweep, description=inspect.getdoc(wait_for_sweep))
    derive_schema(server, "start_sweep", StartSweepSerializer)
    derive_schema(server, "set_sweep_concurrency", SteerSerializer)
