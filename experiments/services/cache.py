from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Aggregate, Count, F, OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone

from adapters.urls import normalise_base_url
from experiments.exceptions import InvalidRequest
from experiments.models import CachedResponse, Endpoint, Experiment, Project, Run
from experiments.models.querysets import cache_stats


def purge_queryset(
    *,
    project: Project | None = None,
    experiment: Experiment | None = None,
    model: str | None = None,
    endpoint: Endpoint | str | None = None,
    older_than_days: float | None = None,
    everything: bool = False,
) -> QuerySet[CachedResponse]:
    """The cache entries matching every given filter. ``project`` only
    scopes them: without a narrower filter the caller must say
    ``everything`` (no accidental wipe of a project's or the whole cache).
    Raises ``InvalidRequest``. The API and ``purge_cache`` both ask here."""
    narrowing = (experiment, model or None, endpoint, older_than_days)
    if not everything and all(value is None for value in narrowing):
        raise InvalidRequest(
            "name what to purge (experiment, model, endpoint, older_than_days) or all"
        )
    rows = CachedResponse.objects.all()
    if project is not None:
        rows = rows.filter(project=project)
    if experiment is not None:
        keys = Run.objects.filter(sweep__experiment=experiment).exclude(cache_key="")
        rows = rows.filter(key__in=keys.values("cache_key"))
    if model:
        rows = rows.filter(model=model)
    if endpoint is not None:
        url = endpoint.base_url if isinstance(endpoint, Endpoint) else endpoint
        rows = rows.filter(endpoint_url=normalise_base_url(url))
    if older_than_days is not None:
        rows = rows.filter(
            created_at__lt=timezone.now() - timedelta(days=older_than_days)
        )
    return rows


def purge_cache(**filters: Any) -> int:
    """Delete what ``purge_queryset`` selects; the number of entries deleted."""
    deleted, _ = purge_queryset(**filters).delete()
    return deleted


def stats_by_experiment(project: Project) -> list[dict]:
    """Per experiment of the project, by name, in one query: the entries
    purging it would delete (those its runs' cache keys name, as
    ``purge_queryset(experiment=...)`` selects them), their hits and the
    calls and cost those saved. An entry experiments share counts in each;
    the judge's entries are in none (the project's totals count them)."""
    keys = (
        Run.objects.filter(sweep__experiment=OuterRef(OuterRef("pk")))
        .exclude(cache_key="")
        .values("cache_key")
    )
    # order_by(): the model's ordering would otherwise join the GROUP BY.
    entries = CachedResponse.objects.filter(project=project, key__in=keys).order_by()

    def total(aggregate: Aggregate) -> Subquery:
        return Subquery(entries.values("project").annotate(v=aggregate).values("v"))

    rows = project.experiments.order_by("name").annotate(
        cached_entries=total(Count("id")),
        cached_hits=total(Sum("hit_count")),
        cached_cost_saved=total(Sum(F("hit_count") * F("cost"))),
    )
    return [
        {
            "experiment": row.pk,
            "name": row.name,
            **cache_stats(
                {
                    "entries": row.cached_entries or 0,
                    "hits": row.cached_hits,
                    "cost_saved": row.cached_cost_saved,
                }
            ),
        }
        for row in rows
    ]
