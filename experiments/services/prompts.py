"""Prompts and their versions: writing new messages adds a version."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from experiments.models import Project, Prompt, PromptVersion
from experiments.models.prompts import messages_hash
from experiments.services.projects import require_role, signed_in
from experiments.types import UserLike


@transaction.atomic
def create_prompt(
    project: Project, messages: list[dict], user: UserLike = None, **fields: Any
) -> Prompt:
    """A new prompt (``name``, ``description``) whose first version is
    ``messages``. Raises ``Forbidden`` unless ``user`` is an editor."""
    require_role(project, user, "editor")
    prompt = Prompt.objects.create(project=project, **fields)
    add_prompt_version(prompt, messages, user)
    return prompt


@transaction.atomic
def update_prompt(
    prompt: Prompt,
    messages: list[dict] | None = None,
    user: UserLike = None,
    **fields: Any,
) -> Prompt:
    """Change the prompt's fields; messages that differ from the latest
    version's add a version (earlier ones stay)."""
    require_role(prompt.project, user, "editor")
    for field, value in fields.items():
        setattr(prompt, field, value)
    prompt.save()
    if messages is not None:
        add_prompt_version(prompt, messages, user)
    return prompt


@transaction.atomic
def add_prompt_version(
    prompt: Prompt, messages: list[dict], user: UserLike = None
) -> tuple[PromptVersion, bool]:
    """Store ``messages`` as the prompt's next version, unless they equal the
    latest version (then that one is returned). Returns (version, created)."""
    # Lock the prompt row so two editors cannot both take the same number.
    Prompt.objects.select_for_update().filter(pk=prompt.pk).first()
    latest = prompt.versions.order_by("-number").first()
    if latest and latest.content_hash == messages_hash(messages):
        return latest, False
    version = PromptVersion.objects.create(
        prompt=prompt,
        number=(latest.number + 1) if latest else 1,
        messages=messages,
        created_by=signed_in(user),
    )
    return version, True
