from __future__ import annotations

from django.conf import settings
from django.db import models

from experiments.hashing import content_sha256
from experiments.models.projects import Project


def messages_hash(messages: list[dict]) -> str:
    return content_sha256(messages)


class Prompt(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="prompts"
    )
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"], name="unique_prompt_name"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def latest_version(self) -> PromptVersion | None:
        return self.versions.order_by("-number").first()


class PromptVersion(models.Model):
    """One immutable revision of a prompt; editing a prompt adds a version."""

    prompt = models.ForeignKey(
        Prompt, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    messages = models.JSONField()
    content_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["prompt", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["prompt", "number"], name="unique_prompt_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.prompt.name} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Prompt versions are immutable; create a new version.")
        self.content_hash = messages_hash(self.messages)
        super().save(*args, **kwargs)
