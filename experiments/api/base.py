"""Scoping and roles for every project-owned resource, done once here.

``get_queryset`` keeps only objects of projects the caller may see, so a
non-member gets 404 (no existence leak); writes then need a role in the
object's project (editor, owner for deletes), else 403.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet
from rest_framework import mixins, permissions, viewsets

from experiments.exceptions import Forbidden
from experiments.models import ApiKey, Project
from experiments.services.access import require_project_role, visible_projects

READ, WRITE, OWN = "viewer", "editor", "owner"


def api_key_of(request) -> ApiKey | None:
    return request.auth if isinstance(request.auth, ApiKey) else None


def projects_for(request) -> QuerySet[Project]:
    return visible_projects(request.user, api_key_of(request))


class ProjectRole(permissions.BasePermission):
    """Object-level: the role ``view.required_role()`` in the object's project."""

    def has_object_permission(self, request, view, obj) -> bool:
        # A refusal, not ``Forbidden``: the browsable API asks this to decide
        # which forms to show, and only DRF's own refusal means "hide it".
        try:
            require_project_role(
                view.project_of(obj),
                request.user,
                view.required_role(),
                api_key_of(request),
            )
        except Forbidden as exc:
            self.message = str(exc)
            return False
        return True


class ProjectScopedViewSet(viewsets.GenericViewSet):
    """Subclasses set ``queryset`` and ``project_path`` (the lookup from the
    model to its Project), and may name roles per action in ``roles``."""

    project_path = "project"
    roles: dict[str, str] = {}
    permission_classes = [permissions.IsAuthenticated, ProjectRole]

    def get_queryset(self) -> QuerySet:
        lookup = f"{self.project_path or 'pk'}__in"
        return super().get_queryset().filter(**{lookup: projects_for(self.request)})

    def required_role(self) -> str:
        if self.action in self.roles:
            return self.roles[self.action]
        if self.request.method in permissions.SAFE_METHODS:
            return READ
        return OWN if self.request.method == "DELETE" else WRITE

    def project_of(self, obj: Model) -> Project:
        for part in filter(None, self.project_path.split("__")):
            obj = getattr(obj, part)
        return obj

    def require_role(self, project: Project, role: str | None = None) -> None:
        """For creates, where there is no object yet."""
        require_project_role(
            project,
            self.request.user,
            role or self.required_role(),
            api_key_of(self.request),
        )


class ProjectModelViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ProjectScopedViewSet,
):
    """CRUD of objects whose ``project`` field is given when they are made."""

    def perform_create(self, serializer) -> None:
        self.require_role(serializer.validated_data["project"])
        serializer.save()
