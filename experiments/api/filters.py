"""Filters of the API's lists, scoped like the lists they filter.

Every choice of a related object (``?project=``, ``?experiment=``) offers
only objects of projects the caller may see, in the browsable API's filter
form as in validation, so an id in someone else's project answers exactly
like an id that does not exist. Objects of tables that grow without bound
(dataset items, runs) are filtered by id, never offered as a choice list.
"""

from __future__ import annotations

import json

import django_filters
from django import forms
from django.db.models import Model, Q, QuerySet
from django_filters.filters import QuerySetRequestMixin
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

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
    axis = django_filters.CharFilter(
        method="filter_axis",
        label=(
            "A config's axis value, NAME:VALUE, repeatable (all must hold): "
            "prompt, endpoint, model or params.KEY (of the stage that answers), "
            "or STAGE.prompt, STAGE.model, STAGE.endpoint, STAGE.params.KEY of "
            "one stage of a pipeline. Example: axis=extract.params.temperature:0.2"
        ),
    )
    # The three apply together (filter_queryset), to one score of the run.
    scorer = django_filters.CharFilter(
        method="_together",
        label="With scorer_min and/or scorer_max: this scorer's score.",
    )
    scorer_min = django_filters.NumberFilter(method="_together")
    scorer_max = django_filters.NumberFilter(method="_together")

    class Meta:
        model = Run
        fields = ["status", "config_hash", "cache_hit", "error_kind", "item"]

    def filter_error(self, queryset, name, value):
        return (
            queryset.exclude(error_kind="") if value else queryset.filter(error_kind="")
        )

    def filter_axis(self, queryset, name, value):
        given = self.data.getlist("axis") if hasattr(self.data, "getlist") else value
        for text in [given] if isinstance(given, str) else given:
            queryset = queryset.filter(axis_condition(queryset, text))
        return queryset

    def _together(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        bounds = {
            f"scores__value__{lookup}": data[key]
            for key, lookup in (("scorer_min", "gte"), ("scorer_max", "lte"))
            if data.get(key) is not None
        }
        if data.get("scorer") and not bounds:
            raise ValidationError({"scorer": ["Give scorer_min or scorer_max too."]})
        if bounds and not data.get("scorer"):
            raise ValidationError({"scorer": ["Name the scorer the bounds are for."]})
        if bounds:
            queryset = queryset.filter(scores__scorer=data["scorer"], **bounds)
        return queryset


STAGE_FIELDS = ("prompt", "endpoint", "model")


def axis_condition(runs: QuerySet, text: str) -> Q:
    """The condition ``NAME:VALUE`` of the ``axis`` filter puts on ``config``;
    a stage is found by name in the sweep's own configs (its index there)."""
    name, colon, value = text.partition(":")
    parts = name.split(".")
    if not colon or not name:
        raise ValidationError(
            {"axis": [f"{text!r}: give NAME:VALUE, e.g. model:llama3"]}
        )
    path: list[str] = []
    if parts[0] not in STAGE_FIELDS and parts[0] != "params":
        stage, parts = parts[0], parts[1:]
        path = ["stages", str(_stage_index(runs, stage))]
    field_ok = len(parts) == 1 and parts[0] in STAGE_FIELDS
    param_ok = len(parts) == 2 and parts[0] == "params" and bool(parts[1])
    if not (field_ok or param_ok):
        raise ValidationError(
            {"axis": [f"{name!r}: not an axis (prompt, endpoint, model, params.KEY)"]}
        )
    lookup = "config__" + "__".join(path + parts)
    condition = Q(**{lookup: value})
    try:
        typed = json.loads(value)
    except ValueError:
        return condition
    # 0.2 matches the number a param holds, "0.2" a string one.
    return condition | Q(**{lookup: typed}) if not isinstance(typed, str) else condition


def _stage_index(runs: QuerySet, stage: str) -> int:
    config = runs.exclude(config__stages=None).values_list("config", flat=True).first()
    names = [choice.get("name") for choice in (config or {}).get("stages", [])]
    if stage not in names:
        known = ", ".join(names) or "none: not a pipeline"
        raise ValidationError({"axis": [f"{stage!r}: no such stage (stages: {known})"]})
    return names.index(stage)


class SweepFilter(ScopedFilterSet):
    # A choice of project, as the other lists' ``project`` filter: a number
    # past the id column's range would fail in the database.
    project = django_filters.ModelChoiceFilter(
        field_name="experiment__project", queryset=Project.objects.all()
    )

    class Meta:
        model = Sweep
        fields = ["experiment", "status"]
