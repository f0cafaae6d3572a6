"""A sweep's analysis: leaderboard (JSON or CSV), Pareto fronts, marginals,
heatmap, and one config as a spec to run alone (docs/api.md, "Analysis").
Scoped and permitted as every sweep endpoint: the routes sit beside
``SweepViewSet``'s, on the same queryset."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from experiments.api.base import ProjectScopedViewSet
from experiments.api.files import download
from experiments.api.serializers.analysis import (
    AnalysisLeaderboardRowSerializer,
    AnalysisQuerySerializer,
    ConfigSpecQuerySerializer,
    HeatmapQuerySerializer,
    HeatmapSerializer,
    LeaderboardQuerySerializer,
    MarginalsSerializer,
    ParetoSerializer,
)
from experiments.models import Sweep
from experiments.services import analysis as analyses
from experiments.services.analysis import Section, sweep_analysis


class SweepAnalysisViewSet(ProjectScopedViewSet):
    """Only detail actions: registered under ``sweeps/`` before
    ``SweepViewSet``, it adds routes and takes none of that viewset's."""

    queryset = Sweep.objects.select_related("experiment")
    project_path = "experiment__project"
    serializer_class = AnalysisQuerySerializer
    pagination_class = None
    filter_backends: list = []

    def _query(self, query_class: type = AnalysisQuerySerializer) -> tuple:
        sweep = self.get_object()
        query = query_class(data=self.request.query_params, context={"sweep": sweep})
        query.is_valid(raise_exception=True)
        return sweep, dict(query.validated_data)

    def _answer(self, section: Section, query_class: type = AnalysisQuerySerializer):
        sweep, options = self._query(query_class)
        return Response(sweep_analysis(sweep, section, **options))

    @extend_schema(
        parameters=[LeaderboardQuerySerializer],
        responses={
            (200, "application/json"): AnalysisLeaderboardRowSerializer(many=True),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="`?format=csv`: the rows as a file."
            ),
        },
    )
    @action(detail=True, methods=["get"])
    def leaderboard(self, request, pk=None):
        """One row per config, best mean score first (as `runexperiment`):
        its bootstrap interval, per-scorer means, errors, cache hits, tokens,
        cost, latency, the test against the best and the Pareto marks.
        `?format=csv` downloads the same rows as CSV."""
        sweep, options = self._query(LeaderboardQuerySerializer)
        if options.pop("format") == "csv":
            body = analyses.leaderboard_csv(sweep, **options)
            return download(body, "csv", f"sweep-{sweep.pk}-leaderboard")
        return Response(analyses.leaderboard(sweep, **options))

    @extend_schema(
        parameters=[ConfigSpecQuerySerializer],
        responses={
            (200, "application/yaml"): OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="A spec that runs this one config (its prompt, "
                "model and params; a pipeline's choice per stage) on the "
                "sweep's dataset with its scorers and endpoints (no keys).",
            )
        },
    )
    @action(detail=True, methods=["get"], url_path="config-spec")
    def config_spec(self, request, pk=None):
        """One config of the sweep (by default the best) as a ready-to-run
        spec, in YAML: `runexperiment FILE` runs that config alone."""
        sweep, options = self._query(ConfigSpecQuerySerializer)
        spec = analyses.config_spec(sweep, options.get("config"))
        return download(spec.text, "yaml", spec.name)

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
