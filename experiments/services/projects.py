from __future__ import annotations

from experiments.exceptions import Forbidden
from experiments.models import Membership, Project

Role = Membership.Role
_RANK = {Role.VIEWER: 0, Role.EDITOR: 1, Role.OWNER: 2}


def ensure_project(name: str, user=None) -> Project:
    """Get the project, creating it with ``user`` as its owner if it is new.

    An existing project requires ``user`` to be an editor there; ``user=None``
    is the trusted command line.
    """
    project, created = Project.objects.get_or_create(name=name)
    if created and user is not None:
        Membership.objects.create(project=project, user=user, role=Role.OWNER)
    elif not created:
        require_role(project, user, Role.EDITOR)
    return project


def role_of(project: Project, user) -> str | None:
    if user is None or user.is_superuser:
        return Role.OWNER
    membership = project.memberships.filter(user=user).first()
    return membership.role if membership else None


def require_role(project: Project, user, role: str) -> None:
    """Raise ``Forbidden`` unless ``user`` holds at least ``role`` in ``project``."""
    held = role_of(project, user)
    if held is None or _RANK[held] < _RANK[role]:
        raise Forbidden(f'You need the {role} role in project "{project.name}".')
