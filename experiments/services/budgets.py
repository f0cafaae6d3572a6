"""Budgets of a sweep: what it is estimated to make and cost, refused at the
start when that exceeds the caller's caps (or the server's for agents), and
caps stored on the sweep that stop it while it runs (``engine.caps``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.conf import settings

from experiments.exceptions import InvalidRequest
from experiments.models import Experiment, Project, Sweep
from experiments.services.experiments import validate_experiment_spec
from experiments.services.projects import require_role
from experiments.services.sweeps import start_sweep, strategy_document
from experiments.spec import SpecInvalid
from experiments.spec.outline import call_estimate
from experiments.types import UserLike


@dataclass(frozen=True)
class Estimate:
    runs: int
    unique_calls: int
    estimated_cost: float | None  # None: a model without a price
    configs: int
    items: int


@dataclass(frozen=True)
class Budget:
    max_runs: int | None = None
    max_calls: int | None = None
    max_cost: float | None = None
    # Stop when an endpoint keeps backing off (rate-limited) this long.
    rate_limited_s: float | None = None


class BudgetExceeded(InvalidRequest):
    """The sweep's estimate is over a cap: nothing was started."""

    def __init__(self, message: str, estimate: Estimate, budget: Budget) -> None:
        super().__init__(message)
        self.estimate = estimate
        self.budget = budget


def estimate_sweep(experiment: Experiment, strategy: dict | None = None) -> Estimate:
    """What a sweep of the experiment (with the ``strategy`` override) would
    make: runs, unique calls and estimated cost. Raises ``SpecInvalid``."""
    document = strategy_document(experiment, strategy or {})
    projects = Project.objects.filter(pk=experiment.project_id)
    result = validate_experiment_spec(document, projects=projects)
    if not result.ok or result.spec is None:
        raise SpecInvalid(result.errors)
    unique, _ = call_estimate(result.spec, len(result.items))
    return Estimate(
        runs=result.runs,
        unique_calls=unique,
        estimated_cost=result.estimated_cost,
        configs=result.configs,
        items=len(result.items),
    )


def agent_budget(budget: Budget) -> Budget:
    """``budget`` with the server's caps for agent-started sweeps
    (``PROMPTLOOPER_AGENT_MAX_*``) where it sets none or a higher one."""
    caps = (settings.AGENT_MAX_RUNS, settings.AGENT_MAX_CALLS, settings.AGENT_MAX_COST)
    given = (budget.max_runs, budget.max_calls, budget.max_cost)
    merged = [
        server if mine is None else mine if server is None else min(mine, server)
        for mine, server in zip(given, caps, strict=True)
    ]
    max_runs, max_calls, max_cost = merged
    return Budget(
        max_runs=None if max_runs is None else int(max_runs),
        max_calls=None if max_calls is None else int(max_calls),
        max_cost=max_cost,
        rate_limited_s=budget.rate_limited_s,
    )


def over_budget(estimate: Estimate, budget: Budget) -> str:
    """Why the estimate exceeds the budget, or "" when it does not."""
    problems = []
    if budget.max_runs is not None and estimate.runs > budget.max_runs:
        problems.append(f"{estimate.runs} runs > max_runs {budget.max_runs}")
    if budget.max_calls is not None and estimate.unique_calls > budget.max_calls:
        problems.append(f"{estimate.unique_calls} calls > max_calls {budget.max_calls}")
    if budget.max_cost is not None:
        if estimate.estimated_cost is None:
            problems.append("the cost cannot be estimated (a model has no price)")
        elif estimate.estimated_cost > budget.max_cost:
            problems.append(
                f"${estimate.estimated_cost:.4f} estimated > max_cost "
                f"${budget.max_cost:.4f}"
            )
    return "; ".join(problems)


def start_sweep_within(
    experiment: Experiment,
    user: UserLike,
    budget: Budget,
    *,
    no_cache: bool = False,
    concurrency: int | None = None,
    strategy: dict | None = None,
) -> tuple[Sweep, Estimate]:
    """``start_sweep`` once its estimate is within ``budget``; the sweep
    keeps the call, cost and rate-limit caps and stops at them while it
    runs. Raises ``BudgetExceeded`` (with the estimate), ``SpecInvalid``,
    ``InvalidRequest`` or ``Forbidden``; nothing is stored then."""
    require_role(experiment.project, user, "editor")
    estimate = estimate_sweep(experiment, strategy)
    problem = over_budget(estimate, budget)
    if problem:
        raise BudgetExceeded(
            f"Refused: the sweep is over its budget ({problem}). Estimate: "
            f"{estimate.runs} runs, {estimate.unique_calls} calls, cost "
            + (
                "unknown"
                if estimate.estimated_cost is None
                else f"${estimate.estimated_cost:.4f}"
            )
            + ". Lower the strategy's budget, the dataset's limit or the grid.",
            estimate,
            budget,
        )
    caps = {
        key: value
        for key, value in asdict(budget).items()
        if key != "max_runs" and value is not None
    }
    sweep = start_sweep(
        experiment,
        user,
        no_cache=no_cache,
        concurrency=concurrency,
        strategy=strategy,
        estimated_cost=estimate.estimated_cost,
        caps=caps,
    )
    return sweep, estimate
