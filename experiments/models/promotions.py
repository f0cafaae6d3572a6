"""Promotions: a config of a sweep made the one a label of its experiment
(``production``, ``staging``) deploys. Rows are never edited: the latest of
a label is its current promotion, and rolling back adds a row."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from experiments.models.experiments import Experiment
from experiments.models.sweeps import Sweep


class PromotionQuerySet(models.QuerySet):
    def of_label(self, experiment: Experiment, label: str) -> PromotionQuerySet:
        return self.filter(experiment=experiment, label=label)

    def current(self, experiment: Experiment, label: str) -> Promotion | None:
        return self.of_label(experiment, label).order_by("-promoted_at", "-id").first()


class Promotion(models.Model):
    """One entry of a label's history. What a pipeline runs (``deployment``)
    and what the config scored (``scores``) are copied when it is made, so
    a later prompt version, an edited endpoint or a deleted sweep changes
    nothing a deployed pipeline fetches."""

    experiment = models.ForeignKey(
        Experiment, on_delete=models.CASCADE, related_name="promotions"
    )
    label = models.SlugField(max_length=50)
    # Deleting a sweep keeps its promotions (they are snapshots); the id
    # stays in ``sweep_number`` for the history.
    sweep = models.ForeignKey(
        Sweep,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="promotions",
    )
    sweep_number = models.PositiveIntegerField(help_text="The sweep's id.")
    config_hash = models.CharField(max_length=64)
    config = models.JSONField(help_text="The run config promoted.")
    deployment = models.JSONField(
        help_text="Per stage: prompt (name, version, messages), endpoint (name, "
        "kind, base_url, api_key_env; never a key), model and params."
    )
    scores = models.JSONField(
        default=dict,
        blank=True,
        help_text="The config's leaderboard row when it was promoted.",
    )
    # A rollback repeats an earlier promotion: this points at it.
    source = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeats",
    )
    note = models.CharField(max_length=500, blank=True)
    promoted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    promoted_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = PromotionQuerySet.as_manager()

    class Meta:
        ordering = ["-promoted_at", "-id"]
        indexes = [models.Index(fields=["experiment", "label", "-promoted_at"])]

    def __str__(self) -> str:
        return f"{self.experiment} {self.label}: {self.config_hash[:12]}"
