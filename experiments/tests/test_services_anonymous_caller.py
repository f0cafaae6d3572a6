"""Services accept an anonymous user (their ``UserLike`` type says so) and
refuse it like a caller without a role, instead of crashing on it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from experiments.exceptions import Forbidden
from experiments.models import Project
from experiments.services.projects import ensure_project, require_role, signed_in
from experiments.services.prompts import create_prompt

pytestmark = pytest.mark.django_db

HELLO = [{"role": "user", "content": "Hello"}]


def test_an_anonymous_caller_holds_no_role_in_a_project(project):
    with pytest.raises(Forbidden):
        require_role(project, AnonymousUser(), "viewer")


def test_an_anonymous_caller_cannot_write_a_prompt(project):
    with pytest.raises(Forbidden):
        create_prompt(project, HELLO, AnonymousUser(), name="greet")
    assert not project.prompts.exists()


def test_an_anonymous_caller_creates_no_ownerless_project():
    with pytest.raises(Forbidden):
        ensure_project("nobodys", AnonymousUser())
    assert not Project.objects.filter(name="nobodys").exists()


def test_only_a_signed_in_user_is_recorded_as_author(alice):
    assert signed_in(alice) == alice
    assert signed_in(AnonymousUser()) is None
    assert signed_in(None) is None
