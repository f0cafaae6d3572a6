from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from experiments.api.base import OWN, ProjectModelViewSet, api_key_of
from experiments.api.serializers.projects import (
    ApiKeySerializer,
    MemberSerializer,
    NewApiKeySerializer,
    ProjectSerializer,
)
from experiments.exceptions import Forbidden
from experiments.models import ApiKey, Project
from experiments.services import access
from experiments.services.projects import (
    create_project,
    delete_project,
    remove_member,
    set_member,
)


class ProjectViewSet(ProjectModelViewSet):
    """Projects you are a member of (all of them for superusers). Anyone may
    create one and becomes its owner; owners edit, delete and manage members."""

    queryset = Project.objects.all()
    serializer_class = ProjectSerializer
    project_path = ""
    roles = {
        "update": OWN,
        "partial_update": OWN,
        "destroy": OWN,
        "set_member": OWN,
        "remove_member": OWN,
    }
    filterset_fields = ["name"]
    ordering_fields = ["name", "created_at"]

    def perform_create(self, serializer) -> None:
        access.require_writable(api_key_of(self.request))
        if api_key_of(self.request) and api_key_of(self.request).project_id:
            raise Forbidden("This API key is limited to one project.")
        serializer.instance = create_project(
            serializer.validated_data["name"],
            self.request.user,
            serializer.validated_data.get("description", ""),
        )

    def perform_destroy(self, instance: Project) -> None:
        delete_project(instance, self.request.user)

    @extend_schema(request=None, responses=MemberSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="members", pagination_class=None)
    def members(self, request, pk=None) -> Response:
        project = self.get_object()
        rows = project.memberships.select_related("user").order_by("user__username")
        data = [{"username": m.user.username, "role": m.role} for m in rows]
        return Response(MemberSerializer(data, many=True).data)

    @extend_schema(request=MemberSerializer, responses=MemberSerializer)
    @members.mapping.post
    def set_member(self, request, pk=None) -> Response:
        """Add a member or change their role (owners)."""
        project = self.get_object()
        serializer = MemberSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = set_member(project, **serializer.validated_data, by=request.user)
        data = {"username": membership.user.username, "role": membership.role}
        return Response(MemberSerializer(data).data)

    @extend_schema(request=None, responses={204: None})
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"members/(?P<username>[\w.@+-]+)",
        url_name="member",
    )
    def remove_member(self, request, pk=None, username: str = "") -> Response:
        project = self.get_object()
        remove_member(project, username, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiKeyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your API keys. The key itself is returned once, by create; deleting a
    key revokes it at once."""

    queryset = ApiKey.objects.none()  # per user: get_queryset
    serializer_class = ApiKeySerializer
    permission_classes = [IsAuthenticated]
    ordering_fields = ["created_at", "name"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:  # schema generation
            return ApiKey.objects.none()
        keys = ApiKey.objects.filter(user=self.request.user)
        limited = api_key_of(self.request)
        if limited is not None and limited.project_id is not None:
            keys = keys.filter(project_id=limited.project_id)
        return keys

    @extend_schema(responses={201: NewApiKeySerializer})
    def create(self, request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        limited = api_key_of(request)
        access.require_writable(limited)  # no writable key from a read-only one
        project = data.get("project")
        if (
            limited is not None
            and limited.project_id is not None
            and (project is None or project.pk != limited.project_id)
        ):
            raise Forbidden("This API key may only create keys for its project.")
        api_key, key = access.create_api_key(
            request.user,
            data["name"],
            data.get("project"),
            data.get("expires_at"),
            data.get("read_only", False),
        )
        api_key.key = key
        return Response(NewApiKeySerializer(api_key).data, status=201)

    def perform_destroy(self, instance: ApiKey) -> None:
        access.require_writable(api_key_of(self.request))
        access.revoke_api_key(instance)
