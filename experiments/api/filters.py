"""Filters of the API's lists, scoped like the lists they filter.

Every choice of a related object (``?project=``, ``?experiment=``) offers
only objects of projects the caller may see, in the browsable API's filter
form as in validation, so an id in someone else's project answers exactly
like an id that does not exist. Objects of tables that grow without bound
(dataset items, runs) are filtered by id, never offered as a choice list.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Model, QuerySet
from django_filters.filters import QuerySetRequestMixin
from django_filters.rest_framework import DjangoFilterBackend

from experiments.api.ids import MAX_ID
from experiments.models import (
    Dataset,
    DatasetItem,
    Endpoint,
    Experiment,
    Project,
    Prompt,
    PromptVersion,
    Run,
    Sweep,
)

# The lookup from each model to its Project; a model missing here offers
# no choices at all (closed by default), so a new one cannot leak.
PROJECT_PATHS: dict[type[Model], str] = {
    Project: "pk",
    Endpoint: "project",
    Prompt: "project",
    PromptVersion: "prompt__project",
    Dataset: "project",
    DatasetItem: "dataset__project",
    Experiment: "project",
    Sweep: "experiment__project",
    Run: "sweep__experiment__project",
}
UNBOUNDED = (DatasetItem, Run)


def visible(queryset: QuerySet, request) -> QuerySet:
    """``queryset`` narrowed to the projects the caller of ``request`` may see."""
    # Imported here: DRF's settings load this module while base.py's own
    # imports (DRF's viewsets) are still loading.
    from experiments.api.base import projects_for

    path = PROJECT_PATHS.get(queryset.model)
    if request is None or path is None or not request.user.is_authenticated:
        return queryset.none()
    return queryset.filter(**{f"{path}__in": projects_for(request)})


class IdFilter(django_filters.NumberFilter):
    """An object by id, as a number box: the list it filters is scoped already."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class ScopedFilterSet(django_filters.FilterSet):
    @classmethod
    def filter_for_field(cls, field, field_name, lookup_expr=None):
        made = super().filter_for_field(field, field_name, lookup_expr)
        queryset = getattr(made, "queryset", None)
        if isinstance(made, QuerySetRequestMixin) and _model_of(queryset) in UNBOUNDED:
            return IdFilter(field_name=field_name, label=made.label)
        return made

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Per instance (``self.filters`` are copies), declared filters too.
        for item in self.filters.values():
            if isinstance(item, QuerySetRequestMixin):
                item.queryset = _scoped(item.queryset)


def _model_of(queryset) -> type[Model] | None:
    return getattr(queryset, "model", None)


def _scoped(queryset):
    def scoped(request) -> QuerySet:
        base = queryset(request) if callable(queryset) else queryset
        return visible(base, request)

    return scoped


class ScopedFilterBackend(DjangoFilterBackend):
    """``filterset_fields`` of every view make a ``ScopedFilterSet``."""

    filterset_base = ScopedFilterSet


class RunFilter(ScopedFilterSet):
    score_min = django_filters.NumberFilter(field_name="score", lookup_expr="gte")
    score_max = django_filters.NumberFilter(field_name="score", lookup_expr="lte")
    error = django_filters.BooleanFilter(
        method="filter_error", label="Failed with an error (true) or not (false)."
    )

    class Meta:
        model = Run
        fields = ["status", "config_hash", "cache_hit", "error_kind", "item"]

    def filter_error(self, queryset, name, value):
        return (
            queryset.exclude(error_kind="") if value else queryset.filter(error_kind="")
        )


class SweepFilter(ScopedFilterSet):
    # A choice of project, as the other lists' ``project`` filter: a number
    # past the id column's range would fail in the database.
    project = django_filters.ModelChoiceFilter(
        field_name="experiment__project", queryset=Project.objects.all()
    )

    class Meta:
        model = Sweep
        fields = ["experiment", "status"]
