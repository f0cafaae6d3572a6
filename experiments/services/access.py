"""Who may see and change what: one scoping used by the API, and later by the
WebSocket consumers and the MCP server.

A caller is a user plus, optionally, the API key it came with; a key limited
to one project narrows the user's projects to that one.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from experiments.exceptions import Forbidden
from experiments.models import ApiKey, Membership, Project
from experiments.models.apikeys import hash_key
from experiments.services.projects import require_role
from experiments.types import UserLike

if TYPE_CHECKING:
    from django.contrib.auth.models import User

KEY_PREFIX = "plk_"
LAST_USED_EVERY = timedelta(minutes=1)  # not a write per request


def visible_projects(
    user: UserLike, api_key: ApiKey | None = None
) -> QuerySet[Project]:
    projects = Project.objects.for_user(user)
    if api_key is not None and api_key.project_id is not None:
        projects = projects.filter(pk=api_key.project_id)
    return projects


class ProjectAccess(NamedTuple):
    project: Project
    role: str


def visible_projects_with_roles(
    user: UserLike, api_key: ApiKey | None = None
) -> list[ProjectAccess]:
    """The projects ``visible_projects`` gives, by name, each with the role the
    caller acts with there: a superuser's is owner everywhere, a read-only
    key's at most viewer (what it may do, not what its user may). Two queries,
    however many projects."""
    if isinstance(user, AnonymousUser):
        return []
    projects = list(visible_projects(user, api_key).order_by("name"))
    if user is None or user.is_superuser:
        held = {p.pk: Membership.Role.OWNER.value for p in projects}
    else:
        memberships = Membership.objects.filter(user=user, project__in=projects)
        held = dict(memberships.values_list("project_id", "role"))
    capped = api_key is not None and api_key.read_only
    return [
        ProjectAccess(p, Membership.Role.VIEWER.value if capped else held[p.pk])
        for p in projects
    ]


def require_project_role(
    project: Project, user: UserLike, role: str, api_key: ApiKey | None = None
) -> None:
    """Raise ``Forbidden`` unless the caller holds ``role`` in ``project``
    (a read-only key holds no more than a viewer's)."""
    if api_key is not None and api_key.project_id not in (None, project.pk):
        raise Forbidden(f'This API key is limited to another project than "{project}".')
    if role != "viewer":
        require_writable(api_key)
    require_role(project, user, role)


def require_writable(api_key: ApiKey | None) -> None:
    """A read-only key may read and validate, never write, start or steer."""
    if api_key is not None and api_key.read_only:
        raise Forbidden("This API key is read-only.")


def create_api_key(
    user: User,
    name: str,
    project: Project | None = None,
    expires_at: datetime | None = None,
    read_only: bool = False,
) -> tuple[ApiKey, str]:
    """Store a new key for ``user``; return it with the key in clear, which is
    never available again."""
    if project is not None:
        require_project_role(project, user, "viewer")
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey.objects.create(
        user=user,
        project=project,
        name=name,
        prefix=f"{KEY_PREFIX}{prefix}",
        key_hash=hash_key(key),
        expires_at=expires_at,
        read_only=read_only,
    )
    return api_key, key


def authenticate_api_key(key: str) -> ApiKey | None:
    """The usable key matching ``key`` (its user active), or None."""
    if not key.startswith(KEY_PREFIX):
        return None
    api_key = (
        ApiKey.objects.usable()
        .select_related("user")
        .filter(key_hash=hash_key(key), user__is_active=True)
        .first()
    )
    if api_key is None:
        return None
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_EVERY:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


def revoke_api_key(api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def require_key_scope(api_key: ApiKey | None, project_name: str) -> None:
    """A key limited to one project may not reach, or create, another; a
    read-only key creates nothing."""
    require_writable(api_key)
    if api_key is None or api_key.project is None:
        return
    if api_key.project.name != project_name:
        raise Forbidden(f'This API key is limited to project "{api_key.project}".')
