from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from experiments.exceptions import Conflict
from experiments.models import CachedResponse, Endpoint, Experiment, Run


def purge_queryset(
    *,
    project=None,
    experiment: Experiment | None = None,
    model: str | None = None,
    endpoint: Endpoint | str | None = None,
    older_than_days: float | None = None,
    everything: bool = False,
) -> QuerySet[CachedResponse]:
    """The cache entries matching every given filter. With no filter at all
    the caller must say ``everything`` (no accidental wipe)."""
    if not any([project, experiment, model, endpoint, older_than_days, everything]):
        raise Conflict("name what to purge (experiment, model, endpoint, age) or all")
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
        rows = rows.filter(endpoint_url=url.rstrip("/"))
    if older_than_days is not None:
        rows = rows.filter(
            created_at__lt=timezone.now() - timedelta(days=older_than_days)
        )
    return rows


def purge_cache(**filters) -> int:
    deleted, _ = purge_queryset(**filters).delete()
    return deleted
