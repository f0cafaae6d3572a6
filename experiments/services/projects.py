from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from experiments.exceptions import Conflict, Forbidden, NotFound
from experiments.models import Membership, Project
from experiments.types import UserLike

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Role = Membership.Role
_RANK: dict[str, int] = {Role.VIEWER: 0, Role.EDITOR: 1, Role.OWNER: 2}


def ensure_project(name: str, user: UserLike = None) -> Project:
    """Get the project, creating it with ``user`` as its owner if it is new.

    An existing project requires ``user`` to be an editor there; ``user=None``
    is the trusted command line.
    """
    if isinstance(user, AnonymousUser):  # could neither own nor edit it
        raise Forbidden(f'You need to sign in to use project "{name}".')
    project, created = Project.objects.get_or_create(name=name)
    if created and user is not None:
        Membership.objects.create(project=project, user=user, role=Role.OWNER)
    elif not created:
        require_role(project, user, Role.EDITOR)
    return project


def signed_in(user: UserLike) -> User | None:
    """The user to record as an author: None for the command line and for an
    anonymous caller."""
    return None if user is None or isinstance(user, AnonymousUser) else user


def role_of(project: Project, user: UserLike) -> str | None:
    if user is None or user.is_superuser:
        return Role.OWNER
    if not user.is_authenticated:  # no membership to look up: no role
        return None
    membership = project.memberships.filter(user=user).first()
    return membership.role if membership else None


def require_role(project: Project, user: UserLike, role: str) -> None:
    """Raise ``Forbidden`` unless ``user`` holds at least ``role`` in ``project``."""
    held = role_of(project, user)
    if held is None or _RANK[held] < _RANK[role]:
        raise Forbidden(f'You need the {role} role in project "{project.name}".')


@transaction.atomic
def create_project(name: str, user: User, description: str = "") -> Project:
    """A new project with ``user`` as its owner."""
    if Project.objects.filter(name=name).exists():
        raise Conflict(f'A project named "{name}" already exists.')
    project = Project.objects.create(name=name, description=description)
    Membership.objects.create(project=project, user=user, role=Role.OWNER)
    return project


@transaction.atomic
def set_member(project: Project, username: str, role: str, by: UserLike) -> Membership:
    """Add ``username`` to the project or change their role (owners only)."""
    require_role(project, by, Role.OWNER)
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise NotFound(f'No user "{username}".')
    membership = project.memberships.select_for_update().filter(user=user).first()
    if membership and membership.role == Role.OWNER and role != Role.OWNER:
        _keep_an_owner(project, membership)
    membership, _ = Membership.objects.update_or_create(
        project=project, user=user, defaults={"role": role}
    )
    return membership


@transaction.atomic
def remove_member(project: Project, username: str, by: UserLike) -> None:
    require_role(project, by, Role.OWNER)
    membership = (
        project.memberships.select_for_update().filter(user__username=username).first()
    )
    if membership is None:
        raise NotFound(f'"{username}" is not a member of "{project.name}".')
    if membership.role == Role.OWNER:
        _keep_an_owner(project, membership)
    membership.delete()


def _keep_an_owner(project: Project, leaving: Membership) -> None:
    others = project.memberships.filter(role=Role.OWNER).exclude(pk=leaving.pk)
    if not others.exists():
        raise Conflict(f'"{project.name}" needs at least one owner.')


@transaction.atomic
def delete_project(project: Project, by: UserLike) -> None:
    """Delete the project and everything in it (owners). Experiments go first:
    their runs protect the dataset items they used."""
    require_role(project, by, Role.OWNER)
    project.experiments.all().delete()
    project.datasets.all().delete()
    project.delete()
