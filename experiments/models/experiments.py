from __future__ import annotations

from django.conf import settings
from django.db import models

from experiments.models.datasets import Dataset
from experiments.models.projects import Endpoint, Project
from experiments.models.prompts import PromptVersion
from experiments.models.querysets import ExperimentQuerySet


class Experiment(models.Model):
    """A search space over a dataset, described by a validated spec."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="experiments"
    )
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    spec = models.JSONField(help_text="The normalised spec the engine runs.")
    spec_source = models.JSONField(help_text="The spec document as it was accepted.")
    dataset = models.ForeignKey(
        Dataset, on_delete=models.PROTECT, related_name="experiments"
    )
    prompt_versions = models.ManyToManyField(PromptVersion, related_name="experiments")
    endpoints = models.ManyToManyField(Endpoint, related_name="experiments")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExperimentQuerySet.as_manager()

    class Meta:
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"], name="unique_experiment_name"
            )
        ]

    def __str__(self) -> str:
        return self.name
