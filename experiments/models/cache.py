from __future__ import annotations

from django.db import models

from experiments.models.projects import Project
from experiments.models.querysets import CachedResponseQuerySet


class CachedResponse(models.Model):
    """A successful completion, keyed by the SHA-256 of its full request
    (experiment-spec.md, "cache key"). Errors are never stored."""

    scope = models.CharField(
        max_length=40, help_text='"global" or "project:<id>" (PROMPTLOOPER_CACHE_SCOPE)'
    )
    key = models.CharField(max_length=64)
    project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="cached_responses",
    )
    adapter = models.CharField(max_length=50)
    endpoint_url = models.CharField(max_length=500)
    model = models.CharField(max_length=200)
    request = models.JSONField(help_text="The canonical request (never the API key).")
    response = models.JSONField()
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(null=True, blank=True)
    cost = models.FloatField(null=True, blank=True)
    latency_ms = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    hit_count = models.PositiveIntegerField(default=0)
    last_hit_at = models.DateTimeField(null=True, blank=True)

    objects = CachedResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="unique_cache_key")
        ]
        indexes = [
            models.Index(fields=["model"]),
            models.Index(fields=["endpoint_url"]),
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.key[:12]}"
