"""The scorer list and the response cache."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from experiments.api.base import api_key_of, projects_for
from experiments.api.ids import parse_id
from experiments.api.serializers.sweeps import (
    CacheExperimentStatsSerializer,
    CachePurgeSerializer,
    CacheStatsSerializer,
    PurgeResultSerializer,
    ScorerSerializer,
)
from experiments.exceptions import NotFound
from experiments.models import CachedResponse
from experiments.models.querysets import EMPTY_CACHE_STATS
from experiments.services.access import require_project_role
from experiments.services.cache import purge_cache, stats_by_experiment
from scoring.registry import describe_scorers


class ScorerViewSet(viewsets.ViewSet):
    """Every registered scorer with its options (built-in and custom)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ScorerSerializer(many=True))
    def list(self, request) -> Response:
        return Response(ScorerSerializer(describe_scorers(), many=True).data)


class CacheViewSet(viewsets.ViewSet):
    """Response cache: statistics per project, and purging (owners)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("project", int, description="One project only.")],
        responses=CacheStatsSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def stats(self, request) -> Response:
        projects = projects_for(request).order_by("pk")
        wanted = request.query_params.get("project")
        if wanted is not None:
            if not wanted.isdigit():
                raise serializers.ValidationError({"project": "Give a project id."})
            pk = parse_id(wanted)  # too many digits: no such project
            projects = projects.filter(pk=pk) if pk else projects.none()
        ids = list(projects.values_list("pk", flat=True))
        visible = CachedResponse.objects.filter(project__in=projects.values("pk"))
        totals = visible.stats_by_project()
        rows = [{"project": pk, **totals.get(pk, EMPTY_CACHE_STATS)} for pk in ids]
        return Response(CacheStatsSerializer(rows, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("project", int, required=True)],
        responses=CacheExperimentStatsSerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="experiments")
    def experiments(self, request) -> Response:
        """One project's cache per experiment, by name: the entries purging
        it would delete, their hits and the calls and cost they saved."""
        wanted = request.query_params.get("project", "")
        if not wanted.isdigit():
            raise serializers.ValidationError({"project": "Give a project id."})
        pk = parse_id(wanted)  # too many digits: no such project
        project = projects_for(request).filter(pk=pk).first() if pk else None
        if project is None:
            # Not naming the id: another project's answers as a missing one's.
            raise NotFound("No such project.")
        rows = stats_by_experiment(project)
        return Response(CacheExperimentStatsSerializer(rows, many=True).data)

    @extend_schema(request=CachePurgeSerializer, responses=PurgeResultSerializer)
    @action(detail=False, methods=["post"])
    def purge(self, request) -> Response:
        """Delete cached responses of one project matching every filter given
        (experiment, model, endpoint, age), or ``all`` of them."""
        serializer = CachePurgeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        project = projects_for(request).filter(pk=data["project"]).first()
        if project is None:
            raise NotFound(f"Project {data['project']} not found.")
        require_project_role(project, request.user, "owner", api_key_of(request))
        filters = {"project": project, "everything": data["all"]}
        if "experiment" in data:
            filters["experiment"] = _in_project(project.experiments, data["experiment"])
        if "endpoint" in data:
            filters["endpoint"] = _in_project(project.endpoints, data["endpoint"])
        if data.get("model"):
            filters["model"] = data["model"]
        if "older_than_days" in data:
            filters["older_than_days"] = data["older_than_days"]
        return Response({"deleted": purge_cache(**filters)})


def _in_project(related, pk: int):
    obj = related.filter(pk=pk).first()
    if obj is None:
        raise serializers.ValidationError({"id": f"{pk} is not in this project."})
    return obj
