"""A finished sweep's runs as columns, kept for its analyses."""

from __future__ import annotations

from django.db import models

from experiments.models.sweeps import Sweep


class SweepColumns(models.Model):
    """The arrays an analysis reads of a finished sweep's runs (numpy's
    ``.npz``), written by the first analysis after the sweep ended (the
    worker's final leaderboard, usually). Reading 100,000 runs back from
    their table costs PostgreSQL and psycopg some 400 ms; this row, a few
    megabytes, some 20 ms.

    ``key`` holds what the columns depend on: the runs' query and the
    sweep's status and counters (a cancelled sweep's late runs change them).
    A row whose key no longer matches is never read, and is replaced."""

    sweep = models.ForeignKey(Sweep, on_delete=models.CASCADE, related_name="columns")
    key = models.CharField(max_length=64)
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sweep", "key"], name="unique_columns_key")
        ]

    def __str__(self) -> str:
        return f"columns of sweep {self.sweep_id}"
