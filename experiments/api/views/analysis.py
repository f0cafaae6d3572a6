"""A sweep's analysis: leaderboard, Pareto fronts, marginals and heatmap
(docs/api.md, "Analysis"). Scoped and permitted as every sweep endpoint:
the routes sit beside ``SweepViewSet``'s, on the same queryset."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from experiments.api.base import ProjectScopedViewSet
from experiments.api.serializers.analysis import (
    AnalysisLeaderboardRowSerializer,
    AnalysisQuerySerializer,
    HeatmapQuerySerializer,
    HeatmapSerializer,
    MarginalsSerializer,
    ParetoSerializer,
)
from experiments.models import Sweep
from experiments.services.analysis import Section, sweep_analysis


class SweepAnalysisViewSet(ProjectScopedViewSet):
    """Only detail actions: registered under ``sweeps/`` before
    ``SweepViewSet``, it adds routes and takes none of that viewset's."""

    queryset = Sweep.objects.select_related("experiment")
    project_path = "experiment__project"
    serializer_class = AnalysisQuerySerializer
    pagination_class = None
    filter_backends: list = []

    def _answer(self, section: Section, query_class: type = AnalysisQuerySerializer):
        sweep = self.get_object()
        query = query_class(data=self.request.query_params, context={"sweep": sweep})
        query.is_valid(raise_exception=True)
        return Response(sweep_analysis(sweep, section, **query.validated_data))

    @extend_schema(
        parameters=[AnalysisQuerySerializer],
        responses=AnalysisLeaderboardRowSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def leaderboard(self, request, pk=None) -> Response:
        """One row per config, best mean score first (as `runexperiment`):
        its bootstrap interval, per-scorer means, errors, cache hits, tokens,
        cost, latency, the test against the best and the Pareto marks."""
        rows = self._answer("leaderboard").data
        # A single-stage row has no stages; the API has always shown [].
        return Response([{"stages": [], "stage_usage": [], **row} for row in rows])

    @extend_schema(parameters=[AnalysisQuerySerializer], responses=ParetoSerializer)
    @action(detail=True, methods=["get"])
    def pareto(self, request, pk=None) -> Response:
        """Score against cost per run and against latency p50: per config,
        whether no other config beats it on both, and the score it gives up."""
        return self._answer("pareto")

    @extend_schema(parameters=[AnalysisQuerySerializer], responses=MarginalsSerializer)
    @action(detail=True, methods=["get"])
    def marginals(self, request, pk=None) -> Response:
        """Per axis the sweep varies: the mean score per value, with its
        interval, and the share of the score's variance the axis explains."""
        return self._answer("marginals")

    @extend_schema(parameters=[HeatmapQuerySerializer], responses=HeatmapSerializer)
    @action(detail=True, methods=["get"])
    def heatmap(self, request, pk=None) -> Response:
        """The mean score and n at each pair of values of two axes
        (`?x=prompt&y=model` by default)."""
        return self._answer("heatmap", HeatmapQuerySerializer)
