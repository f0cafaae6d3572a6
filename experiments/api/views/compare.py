"""Configs side by side (``compare``) and sweep against sweep (``versus``)
(docs/api.md, "Analysis"). Scoped as every sweep endpoint: both sweeps of
``versus`` come from the caller's visible sweeps, so one the caller cannot
see is a 404 like one that does not exist."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from experiments.api.base import ProjectScopedViewSet
from experiments.api.serializers.compare import (
    CompareQuerySerializer,
    CompareSerializer,
    VersusQuerySerializer,
    VersusSerializer,
)
from experiments.models import Sweep
from experiments.services.analysis import compare_configs, compare_sweeps


class SweepCompareViewSet(ProjectScopedViewSet):
    """Only detail actions, registered under ``sweeps/`` before
    ``SweepViewSet`` as ``SweepAnalysisViewSet`` is."""

    queryset = Sweep.objects.select_related("experiment__project")
    project_path = "experiment__project"
    serializer_class = CompareQuerySerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(parameters=[CompareQuerySerializer], responses=CompareSerializer)
    @action(detail=True, methods=["get"])
    def compare(self, request, pk=None) -> Response:
        """2 to 4 configs side by side on the items they share: per item the
        outputs, a word-level diff against the first config's, per-scorer
        scores and their deltas; the items where they disagree most first,
        a page of `limit` from `offset`."""
        sweep = self.get_object()
        query = CompareQuerySerializer(
            data=request.query_params, context={"sweep": sweep}
        )
        query.is_valid(raise_exception=True)
        return Response(compare_configs(sweep, **query.validated_data))

    @extend_schema(
        parameters=[
            VersusQuerySerializer,
            OpenApiParameter(
                "other",
                OpenApiTypes.INT,
                OpenApiParameter.PATH,
                description="Sweep B, compared against this one (the baseline).",
            ),
        ],
        responses=VersusSerializer,
    )
    @action(detail=True, methods=["get"], url_path=r"versus/(?P<other>[0-9]+)")
    def versus(self, request, pk=None, other=None) -> Response:
        """This sweep (A, the baseline) against sweep `other` (B) on the
        configs and items they share: per config the mean of each, the
        delta B - A with its paired bootstrap interval, and a verdict:
        `regression`, `improvement` or `same`."""
        a = self.get_object()
        b = self.get_queryset().filter(pk=other).first()
        if b is None:
            raise Http404("No Sweep matches the given query.")
        query = VersusQuerySerializer(
            data=request.query_params, context={"sweeps": [a, b]}
        )
        query.is_valid(raise_exception=True)
        return Response(compare_sweeps(a, b, **query.validated_data))
