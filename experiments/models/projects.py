from __future__ import annotations

import os
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from adapters.endpoint_policy import (
    EndpointRefused,
    base_url_problem,
    check_endpoint,
    key_env_problem,
)
from adapters.registry import ADAPTERS
from adapters.urls import normalise_base_url
from experiments.fields import EncryptedTextField


class ProjectQuerySet(models.QuerySet):
    def for_user(self, user) -> ProjectQuerySet:
        """Projects the user may see: all for superusers, else their memberships."""
        if not user or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(memberships__user=user).distinct()


class Project(models.Model):
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="projects"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        EDITOR = "editor", "Editor"
        VIEWER = "viewer", "Viewer"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"], name="unique_membership"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.project}"


def validate_base_url(value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            "Enter an http:// or https:// URL such as http://127.0.0.1:11434/v1."
        )
    problem = base_url_problem(value)
    if problem:
        raise ValidationError(f"The URL {problem}.")


def validate_api_key_env(value: str) -> None:
    problem = key_env_problem(value)
    if problem:
        raise ValidationError(f"{problem}.")


def validate_adapter_kind(value: str) -> None:
    if value not in ADAPTERS:
        known = ", ".join(sorted(ADAPTERS))
        raise ValidationError(f'Unknown adapter kind "{value}" (known: {known}).')


class Endpoint(models.Model):
    """An OpenAI-compatible server the sweeps call, with its limits and prices."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="endpoints"
    )
    name = models.CharField(max_length=100)
    kind = models.CharField(
        max_length=50, default="openai", validators=[validate_adapter_kind]
    )
    base_url = models.CharField(max_length=500, validators=[validate_base_url])
    api_key = EncryptedTextField(blank=True)
    api_key_env = models.CharField(
        max_length=100,
        blank=True,
        validators=[validate_api_key_env],
        help_text="Name of an environment variable holding the key (read at run "
        "time); by default only PROMPTLOOPER_KEY_... names are allowed.",
    )
    max_concurrency = models.PositiveIntegerField(default=8)
    rpm = models.PositiveIntegerField(
        null=True, blank=True, help_text="Requests per minute"
    )
    tpm = models.PositiveIntegerField(
        null=True, blank=True, help_text="Tokens per minute"
    )
    timeout_s = models.FloatField(default=60.0)
    prices = models.JSONField(
        default=dict,
        blank=True,
        help_text='Per model: {"gpt-4o-mini": {"input_per_mtok": 0.15, '
        '"output_per_mtok": 0.6}} (USD per million tokens).',
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # What a spec or a form may set (the key has its own write-only path).
    SETTINGS_FIELDS = (
        "kind",
        "base_url",
        "api_key_env",
        "max_concurrency",
        "rpm",
        "tpm",
        "timeout_s",
        "prices",
    )

    class Meta:
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"], name="unique_endpoint_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.base_url})"

    def save(self, *args, **kwargs) -> None:
        self.base_url = normalise_base_url(self.base_url)
        super().save(*args, **kwargs)

    @property
    def api_key_set(self) -> bool:
        return bool(self.api_key or self.api_key_env)

    def check_allowed(self) -> None:
        """Raise ``EndpointRefused`` if the current settings forbid calling it
        (rows stored before a setting was tightened are refused here)."""
        check_endpoint(self.name, self.base_url, self.api_key_env)

    def resolved_api_key(self) -> str:
        """The key to send: the stored one, else the named environment variable
        if the operator allows endpoints to read it."""
        if self.api_key:
            return self.api_key
        if not self.api_key_env:
            return ""
        problem = key_env_problem(self.api_key_env)
        if problem:
            raise EndpointRefused(f'endpoint "{self.name}" refused: {problem}')
        return os.environ.get(self.api_key_env, "")
