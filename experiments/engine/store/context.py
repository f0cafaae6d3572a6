"""The sweep's context, loaded once, and the runner's reads per batch."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.base import EndpointConfig
from experiments.engine import cache
from experiments.engine import endpoints as sweep_endpoints
from experiments.models import CachedResponse, Run, Sweep


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


def fetch_pending(
    sweep_id: int, after_id: int, limit: int
) -> list[tuple[int, dict, int, int]]:
    """(run id, config, item id, sample index) of the next pending runs."""
    return list(
        Run.objects.filter(
            sweep_id=sweep_id, status=Run.Status.PENDING, id__gt=after_id
        )
        .order_by("id")
        .values_list("id", "config", "item_id", "sample_index")[:limit]
    )


def lookup(scope: str, keys: list[str]) -> dict[str, CachedResponse]:
    return cache.lookup(scope, keys)
