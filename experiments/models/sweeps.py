from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from experiments.exceptions import InvalidTransition
from experiments.models.datasets import DatasetItem
from experiments.models.experiments import Experiment
from experiments.models.querysets import RunQuerySet
from experiments.models.transitions import SweepQuerySet


class Sweep(models.Model):
    """One execution of an experiment's search space. Its counters are the
    source of truth for progress (never the queue's result store)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    FINAL = frozenset({Status.COMPLETED, Status.FAILED, Status.CANCELLED})
    # A runner may hold (claim) the sweep: ``SweepQuerySet.runnable``.
    RUNNABLE = frozenset({Status.QUEUED, Status.RUNNING})
    # Every status change goes through ``transition`` (one sweep, refused
    # with ``InvalidTransition``) or ``Sweep.objects.transition`` (a
    # conditional UPDATE: rows in another status are left alone). A final
    # status is never left. A queued or paused sweep completes or fails
    # when its runner ends with nothing pending (paused or resumed as the
    # last runs finished).
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.QUEUED: frozenset(
            {
                Status.RUNNING,
                Status.PAUSED,
                Status.COMPLETED,
                Status.FAILED,
                Status.CANCELLED,
            }
        ),
        Status.RUNNING: frozenset(
            {Status.PAUSED, Status.COMPLETED, Status.FAILED, Status.CANCELLED}
        ),
        Status.PAUSED: frozenset(
            {
                Status.QUEUED,
                Status.RUNNING,
                Status.COMPLETED,
                Status.FAILED,
                Status.CANCELLED,
            }
        ),
    }

    experiment = models.ForeignKey(
        Experiment, on_delete=models.CASCADE, related_name="sweeps"
    )
    strategy = models.JSONField(default=dict)
    spec = models.JSONField(
        default=dict, help_text="The experiment spec this sweep ran (a snapshot)."
    )
    # Snapshotted when the sweep is created, so later edits to the project's
    # endpoints (or another spec's) do not change what it calls. Keys are
    # never copied: "endpoint_id" points at the row holding the encrypted
    # key, "api_key_env" names the variable. Empty for sweeps made before.
    endpoints = models.JSONField(
        default=dict,
        blank=True,
        help_text="Per endpoint name, the settings this sweep calls (no keys).",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    concurrency = models.PositiveIntegerField(default=16)
    no_cache = models.BooleanField(default=False)

    planned = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    cache_hits = models.PositiveIntegerField(default=0)
    calls = models.PositiveIntegerField(default=0)
    prompt_tokens = models.PositiveBigIntegerField(default=0)
    completion_tokens = models.PositiveBigIntegerField(default=0)
    cost = models.FloatField(default=0.0)
    estimated_cost = models.FloatField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The runner holding the sweep; a stale heartbeat lets another take over.
    lease = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(blank=True)
    # Stops the running sweep (cancelled, ``error_message`` saying why) once
    # one is reached: ``max_calls``, ``max_cost``, ``rate_limited_s``.
    caps = models.JSONField(default=dict, blank=True)
    last_event_seq = models.PositiveBigIntegerField(default=0)

    objects = SweepQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Sweep {self.pk} of {self.experiment}"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL

    def can_transition(self, to: str) -> bool:
        return to in self.TRANSITIONS.get(self.status, frozenset())

    @classmethod
    def sources(cls, to: str) -> list[str]:
        """The statuses from which ``to`` can be reached."""
        return [old for old, targets in cls.TRANSITIONS.items() if to in targets]

    def transition(self, to: str) -> None:
        """Move to status ``to`` (a final one stamps ``finished_at``), in
        memory: the caller saves. Raises ``InvalidTransition``."""
        if not self.can_transition(to):
            raise InvalidTransition(
                f"sweep {self.pk} is {self.status}; it cannot become {to}"
            )
        self.status = to
        if to in self.FINAL and self.finished_at is None:
            self.finished_at = timezone.now()

    @property
    def duration_s(self) -> float | None:
        if not self.started_at:
            return None
        end = self.finished_at or self.heartbeat_at or self.started_at
        return (end - self.started_at).total_seconds()


class Run(models.Model):
    """One config applied to one dataset item for one sample index."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    # Every index costs each run's insert and update (a run row is written
    # twice, in bulk): the unique constraint's leading column serves lookups
    # by sweep, so the foreign key needs no index of its own.
    sweep = models.ForeignKey(
        Sweep, on_delete=models.CASCADE, related_name="runs", db_index=False
    )
    config_hash = models.CharField(max_length=64)
    config = models.JSONField()
    item = models.ForeignKey(DatasetItem, on_delete=models.PROTECT, related_name="runs")
    sample_index = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )

    messages = models.JSONField(null=True, blank=True)
    output_text = models.TextField(blank=True)
    served_model = models.CharField(
        max_length=200,
        blank=True,
        help_text="The model the server says answered (its response's model).",
    )
    output_json = models.JSONField(null=True, blank=True)
    raw_response = models.JSONField(null=True, blank=True)
    cache_key = models.CharField(max_length=64, blank=True)
    cache_hit = models.BooleanField(default=False)
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(null=True, blank=True)
    cost = models.FloatField(null=True, blank=True)
    latency_ms = models.FloatField(null=True, blank=True)
    score = models.FloatField(
        null=True, blank=True, help_text="Composite: weighted mean of the scores."
    )
    error_kind = models.CharField(max_length=50, blank=True)
    error_message = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    trace = models.JSONField(
        null=True,
        blank=True,
        help_text="A pipeline run's stages: per stage its messages, output, "
        "tokens, latency, cost, cache key, cache hit and error.",
    )

    objects = RunQuerySet.as_manager()

    class Meta:
        ordering = ["sweep", "id"]
        constraints = [
            # A resumed sweep can never do a run twice.
            models.UniqueConstraint(
                fields=["sweep", "config_hash", "item", "sample_index"],
                name="unique_run_per_sweep",
            )
        ]
        indexes = [
            # Leaderboard: group by config within a sweep, aggregate score.
            models.Index(fields=["sweep", "config_hash", "score"]),
            models.Index(fields=["sweep", "status"]),
            models.Index(fields=["sweep", "score"]),
        ]

    def __str__(self) -> str:
        return f"Run {self.pk} ({self.status})"


class Score(models.Model):
    # The unique (run, scorer) constraint serves lookups by run.
    run = models.ForeignKey(
        Run, on_delete=models.CASCADE, related_name="scores", db_index=False
    )
    scorer = models.CharField(max_length=100)
    value = models.FloatField()
    weight = models.FloatField(default=1.0)
    detail = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="Why the scorer could not score.")

    class Meta:
        ordering = ["run", "scorer"]
        constraints = [
            models.UniqueConstraint(fields=["run", "scorer"], name="unique_run_scorer")
        ]
        indexes = [models.Index(fields=["scorer", "value"])]

    def __str__(self) -> str:
        return f"{self.scorer}={self.value:.3f}"


class SweepEvent(models.Model):
    """The per-sweep event log: status changes, throttled progress, steering.
    The dashboard replays it after a reconnect (by ``seq``)."""

    sweep = models.ForeignKey(Sweep, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sweep", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["sweep", "seq"], name="unique_event_seq")
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.seq}"
