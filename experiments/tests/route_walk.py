"""Every route of the API router, as URLs with ids filled in: tests walk them
so a new endpoint is covered without anyone remembering to add it."""

from __future__ import annotations

import re

from django.urls import URLPattern

from experiments.api.filters import IdFilter, ScopedFilterBackend
from experiments.api.urls import router
from experiments.models import Project, Sweep


def routes(method: str = "get") -> list[tuple[str, type]]:
    """(regex, viewset class) of every route answering ``method``, without
    the ``.json``-style suffix variants."""
    found = []
    for pattern in router.urls:
        assert isinstance(pattern, URLPattern)
        regex = pattern.pattern.regex.pattern
        actions = getattr(pattern.callback, "actions", None) or {"get": "root"}
        if "format" in regex or method not in actions:
            continue
        found.append((regex, pattern.callback.cls))
    return found


def model_of(viewset: type):
    queryset = getattr(viewset, "queryset", None)
    return queryset.model if queryset is not None else None


def url_for(regex: str, viewset: type, ids: dict, missing: str | None = None) -> str:
    """The route's URL with the ids of ``ids`` (model -> pk), or ``missing``
    in place of every object id."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name in ("pk", "sweep_pk"):
            model = model_of(viewset) if name == "pk" else Sweep
            assert model in ids, f"add an id of {model} for {regex}"
            return missing if missing is not None else str(ids[model])
        return "1"  # version numbers and the like: the object decides

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", value, regex)
    return "/api/" + path.strip("^$").replace("\\", "")


def is_list(regex: str) -> bool:
    return "(?P<pk>" not in regex


def id_filters(viewset: type) -> dict[str, type]:
    """The filters of ``viewset`` that take an object's id, with its model;
    ``project`` always (views may read it by hand, as the cache stats do)."""
    found: dict[str, type] = {"project": Project}
    queryset = getattr(viewset, "queryset", None)
    filterset = ScopedFilterBackend().get_filterset_class(viewset, queryset)
    if filterset is None:
        return found
    for name, item in filterset.base_filters.items():
        model = getattr(getattr(item, "queryset", None), "model", None)
        if isinstance(item, IdFilter):
            model = queryset.model._meta.get_field(item.field_name).related_model
        if model is not None:
            found[name] = model
    return found


def filter_names(viewset: type) -> list[str]:
    queryset = getattr(viewset, "queryset", None)
    filterset = ScopedFilterBackend().get_filterset_class(viewset, queryset)
    return ["project", *(filterset.base_filters if filterset else [])]
