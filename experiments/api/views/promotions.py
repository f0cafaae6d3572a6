"""Promotions: a sweep's config promoted to a label of its experiment, the
label's history and rollback, and the deployment a pipeline fetches
(docs/api.md, "Promotion and deployments"). Scoped and permitted as every
sweep and experiment endpoint: viewers read, editors and owners promote."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from experiments.api.base import ProjectScopedViewSet, api_key_of
from experiments.api.serializers.promotions import (
    DeploymentSerializer,
    HistoryQuerySerializer,
    PromoteSerializer,
    PromotionSerializer,
    RollbackSerializer,
)
from experiments.models import Experiment, Sweep
from experiments.services.deployments import deployment_for
from experiments.services.promotions import (
    promote_again,
    promote_config,
    promotion_history,
)


class SweepPromoteViewSet(ProjectScopedViewSet):
    """Only a detail action, registered under ``sweeps/`` before
    ``SweepViewSet`` as ``SweepAnalysisViewSet`` is."""

    queryset = Sweep.objects.select_related("experiment__project")
    project_path = "experiment__project"
    serializer_class = PromoteSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(request=PromoteSerializer, responses={201: PromotionSerializer})
    @action(detail=True, methods=["post"])
    def promote(self, request, pk=None) -> Response:
        """Make one config of this finished sweep the current one of `label`
        in its experiment (editors and owners). The promotion keeps what a
        pipeline needs to run it and the config's leaderboard row."""
        sweep = self.get_object()
        body = PromoteSerializer(data=request.data, context={"sweep": sweep})
        body.is_valid(raise_exception=True)
        promotion = promote_config(sweep, user=request.user, **body.validated_data)
        return Response(PromotionSerializer(promotion).data, status=201)


class ExperimentPromotionViewSet(ProjectScopedViewSet):
    """Only detail actions, registered under ``experiments/`` before
    ``ExperimentViewSet``."""

    queryset = Experiment.objects.select_related("project")
    serializer_class = PromotionSerializer
    filter_backends: list = []

    @extend_schema(
        parameters=[HistoryQuerySerializer],
        responses=PromotionSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def promotions(self, request, pk=None) -> Response:
        """The experiment's promotions, latest first: per label, the first
        is its current one."""
        experiment = self.get_object()
        query = HistoryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        history = promotion_history(experiment, query.validated_data.get("label"))
        page = self.paginate_queryset(history)
        return self.get_paginated_response(PromotionSerializer(page, many=True).data)

    @extend_schema(request=RollbackSerializer, responses={201: PromotionSerializer})
    @action(detail=True, methods=["post"])
    def rollback(self, request, pk=None) -> Response:
        """Promote an earlier promotion again to `label` (editors and
        owners): `promotion` by id, by default the label's latest before the
        current one that promoted another config. A new history entry."""
        experiment = self.get_object()
        body = RollbackSerializer(data=request.data, context={"experiment": experiment})
        body.is_valid(raise_exception=True)
        options = body.validated_data
        promotion = promote_again(
            options["source"], request.user, options["label"], options["note"]
        )
        return Response(PromotionSerializer(promotion).data, status=201)


class DeploymentView(APIView):
    """What a pipeline fetches at start-up: any member of the project, or an
    API key of one, may read it; anyone else gets 404."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="deployments_retrieve",
        parameters=[
            OpenApiParameter("project", str, OpenApiParameter.PATH),
            OpenApiParameter("experiment", str, OpenApiParameter.PATH),
            OpenApiParameter("label", str, OpenApiParameter.PATH),
        ],
        responses=DeploymentSerializer,
    )
    def get(self, request, project: str, experiment: str, label: str) -> Response:
        """The current promotion of `label` in the experiment, by the
        project's and the experiment's names: per stage the endpoint (name,
        kind, base URL, key variable; never a key), model, params and the
        prompt version's messages, with the scores it was promoted on."""
        payload = deployment_for(
            project, experiment, label, request.user, api_key_of(request)
        )
        return Response(DeploymentSerializer(payload).data)
