from __future__ import annotations

from django.db import models

from experiments.hashing import content_sha256
from experiments.models.projects import Project


def item_hash(input: dict, expected, tags: list[str]) -> str:
    return content_sha256([input, expected, tags])


class Dataset(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="datasets"
    )
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"], name="unique_dataset_name"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def active_items(self) -> models.QuerySet[DatasetItem]:
        return self.items.filter(archived=False).order_by("position", "id")


class DatasetItem(models.Model):
    """One input (with optional expected output). Items that runs refer to are
    archived rather than deleted when a dataset is replaced, so old results
    keep their inputs."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    input = models.JSONField()
    expected = models.JSONField(null=True, blank=True)
    tags = models.JSONField(default=list, blank=True)
    content_hash = models.CharField(max_length=64, editable=False)
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["dataset", "position", "id"]
        indexes = [models.Index(fields=["dataset", "archived", "position"])]

    def __str__(self) -> str:
        return f"{self.dataset.name} #{self.position}"

    def save(self, *args, **kwargs) -> None:
        self.content_hash = item_hash(self.input, self.expected, self.tags)
        super().save(*args, **kwargs)
