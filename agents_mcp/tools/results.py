"""A sweep's results: leaderboard, marginals, runs, one run's trace, configs
side by side, sweep against sweep; promotion and deployments."""

from __future__ import annotations

from typing import Annotated

from django.db.models import Prefetch
from mcp.server.mcpserver import MCPServer
from pydantic import Field
from rest_framework import serializers

from agents_mcp.auth import Caller
from agents_mcp.tools.common import derive_schema, one, register, valid
from agents_mcp.tools.sweeps import visible_sweep
from experiments.api.filters import RunFilter
from experiments.api.serializers.analysis import AnalysisQuerySerializer
from experiments.api.serializers.compare import (
    CompareQuerySerializer,
    VersusQuerySerializer,
)
from experiments.api.serializers.sweeps import (
    SCORE_VALUES,
    RunDetailSerializer,
    RunSerializer,
)
from experiments.models import Run, Score
from experiments.services import analysis

PAGE_MAX = 200


def leaderboard(
    caller: Caller,
    sweep: int,
    scorer: str | None = None,
    stage: str | None = None,
    sample: int | None = None,
    limit: Annotated[int, Field(ge=1, le=500)] = 20,
) -> dict:
    """A sweep's configs, best mean score first: rank (tied configs share
    one: their intervals overlap the best's), score with its 95% interval,
    n, per-scorer means, errors, cost, latency, and the Pareto marks (no
    config beats it on score and cost / latency). Partial while the sweep
    runs. Free. Next: ``compare_configs`` on the top rows, ``promote``."""
    found = visible_sweep(caller, sweep)
    options = valid(
        AnalysisQuerySerializer,
        {"scorer": scorer, "stage": stage, "sample": sample},
        sweep=found,
    )
    rows = analysis.leaderboard(found, **options)
    return {"sweep": found.pk, "status": found.status, "configs": len(rows),
            "rows": rows[:limit]}  # fmt: skip


def marginals(
    caller: Caller,
    sweep: int,
    scorer: str | None = None,
    stage: str | None = None,
    sample: int | None = None,
) -> dict:
    """Per axis the sweep varies (prompt, model, each param): the mean score
    of each value with its interval, and the share of the score's variance
    the axis explains: which choice matters. Free."""
    found = visible_sweep(caller, sweep)
    options = valid(
        AnalysisQuerySerializer,
        {"scorer": scorer, "stage": stage, "sample": sample},
        sweep=found,
    )
    return {"sweep": found.pk, **analysis.sweep_analysis(found, "marginals", **options)}


def list_runs(
    caller: Caller,
    sweep: int,
    status: str | None = None,
    config_hash: str | None = None,
    error: bool | None = None,
    cache_hit: bool | None = None,
    score_min: float | None = None,
    score_max: float | None = None,
    after: int | None = None,
    limit: Annotated[int, Field(ge=1, le=PAGE_MAX)] = 50,
) -> dict:
    """A page of a sweep's runs by id, filtered (``status``, ``config_hash``,
    ``error``, ``cache_hit``, ``score_min``/``score_max``). Next page:
    ``after`` = the ``next_after`` returned (null: no more). Free; outputs
    and traces: ``get_run``."""
    found = visible_sweep(caller, sweep)
    data = {"status": status, "config_hash": config_hash, "error": error,
            "cache_hit": cache_hit, "score_min": score_min,
            "score_max": score_max}  # fmt: skip
    given = {k: str(v).lower() if isinstance(v, bool) else v
             for k, v in data.items() if v is not None}  # fmt: skip
    runs = Run.objects.filter(sweep=found).order_by("id").prefetch_related(SCORE_VALUES)
    filterset = RunFilter(data=given, queryset=runs, request=caller.request)
    if not filterset.is_valid():
        raise serializers.ValidationError(filterset.errors)
    runs = filterset.qs
    if after is not None:
        runs = runs.filter(id__gt=after)
    page = list(runs[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return {
        "runs": RunSerializer(page, many=True).data,
        "next_after": page[-1].pk if more else None,
    }


def get_run(caller: Caller, run: int) -> dict:
    """One run: its item's input and expected answer, rendered messages,
    output, scores with details, raw response, timing, cost, and for a
    pipeline its stage trace (each stage's messages, answer, tokens, cache
    hit, error). Free."""
    runs = Run.objects.select_related("item").prefetch_related(
        Prefetch("scores", queryset=Score.objects.order_by("scorer"))
    )
    found = one(
        runs.filter(sweep__experiment__project__in=caller.projects()), run, "Run"
    )
    return dict(RunDetailSerializer(found).data)


def compare_configs(
    caller: Caller,
    sweep: int,
    configs: list[str],
    sample: int = 0,
    offset: int = 0,
    limit: int = 20,
) -> dict:
    """2 to 4 configs (``config_hash`` of leaderboard rows, the first the
    reference) side by side on the items they share: outputs, a word diff
    against the first, per-scorer scores and deltas; most disagreement
    first, a page of ``limit`` from ``offset``. Free."""
    found = visible_sweep(caller, sweep)
    options = valid(
        CompareQuerySerializer,
        {"configs": ",".join(configs), "sample": sample, "offset": offset,
         "limit": limit},
        sweep=found,
    )  # fmt: skip
    return analysis.compare_configs(found, **options)


def compare_sweeps(
    caller: Caller, baseline: int, other: int, scorer: str | None = None
) -> dict:
    """Sweep ``other`` against sweep ``baseline`` on the configs and items
    they share: per config both means, the delta with its paired bootstrap
    interval and a verdict (regression, improvement, same). Free; use it
    after changing a prompt or model to check nothing got worse."""
    a, b = visible_sweep(caller, baseline), visible_sweep(caller, other)
    options = valid(VersusQuerySerializer, {"scorer": scorer}, sweeps=[a, b])
    return analysis.compare_sweeps(a, b, **options)


def register_all(server: MCPServer) -> None:
    for fn in (leaderboard, marginals, list_runs, get_run, compare_configs,
               compare_sweeps):  # fmt: skip
        register(server, fn)
    derive_schema(server, "leaderboard", AnalysisQuerySerializer)
    derive_schema(server, "marginals", AnalysisQuerySerializer)
    derive_schema(server, "compare_configs", CompareQuerySerializer,
                  {"configs": {"type": "array", "items": {"type": "string"},
                               "minItems": 2, "maxItems": 4,
                               "description": "2 to 4 config hashes; the first "
                               "is the reference."}})  # fmt: skip
    derive_schema(server, "compare_sweeps", VersusQuerySerializer)
