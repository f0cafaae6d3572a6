"""The prompts service: the API's prompt writes are these calls."""

from __future__ import annotations

import pytest

from experiments.exceptions import Forbidden
from experiments.models import Prompt
from experiments.services.prompts import create_prompt, update_prompt

pytestmark = pytest.mark.django_db

HELLO = [{"role": "user", "content": "Hello {{ name }}"}]
BYE = [{"role": "user", "content": "Bye {{ name }}"}]


def test_a_new_prompt_starts_at_version_1_by_its_author(project, bob):
    prompt = create_prompt(project, HELLO, bob, name="greet", description="hi")
    version = prompt.versions.get()
    assert (prompt.name, prompt.description) == ("greet", "hi")
    assert (version.number, version.messages, version.created_by) == (1, HELLO, bob)


def test_new_messages_add_a_version_and_equal_ones_do_not(project, bob):
    prompt = create_prompt(project, HELLO, bob, name="greet")
    update_prompt(prompt, HELLO, bob, description="same words")
    assert prompt.versions.count() == 1
    update_prompt(prompt, BYE, bob)
    assert list(
        prompt.versions.values_list("number", flat=True).order_by("number")
    ) == [1, 2]
    assert prompt.latest_version.messages == BYE
    update_prompt(prompt, None, bob, name="farewell")  # fields only
    assert Prompt.objects.get(pk=prompt.pk).name == "farewell"
    assert prompt.versions.count() == 2


def test_a_viewer_can_neither_create_nor_change_a_prompt(project, bob, carol):
    with pytest.raises(Forbidden):
        create_prompt(project, HELLO, carol, name="greet")
    assert not Prompt.objects.exists()
    prompt = create_prompt(project, HELLO, bob, name="greet")
    with pytest.raises(Forbidden):
        update_prompt(prompt, BYE, carol, name="mine")
    prompt.refresh_from_db()
    assert prompt.name == "greet" and prompt.versions.count() == 1
