from __future__ import annotations

import django_filters

from experiments.models import Project, Run, Sweep


class RunFilter(django_filters.FilterSet):
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


class SweepFilter(django_filters.FilterSet):
    # A choice of project, as the other lists' ``project`` filter: a number
    # past the id column's range would fail in the database.
    project = django_filters.ModelChoiceFilter(
        field_name="experiment__project", queryset=Project.objects.all()
    )

    class Meta:
        model = Sweep
        fields = ["experiment", "status"]
