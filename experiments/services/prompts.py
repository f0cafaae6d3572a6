from __future__ import annotations

from django.db import transaction

from experiments.models import Prompt, PromptVersion
from experiments.models.prompts import messages_hash


@transaction.atomic
def add_prompt_version(
    prompt: Prompt, messages: list[dict], user=None
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
        created_by=user if user is not None and user.is_authenticated else None,
    )
    return version, True
