"""A sweep's runs as the analyses read them: from the runs table while the
sweep runs, from its ``SweepColumns`` once it has ended.

The columns are every field of ``read.FIELDS`` and every scorer's values,
with configs already numbered, so one stored copy serves every section and
filter (a sample filter is applied to the arrays here)."""

from __future__ import annotations

import hashlib
import io
import json
import zlib
from collections.abc import Callable

import numpy as np
import psycopg
from django.db import connection
from django.db.models import QuerySet

from experiments.analysis.read import (
    FIELDS,
    STATUS_CODES,
    config_codes,
    read_runs,
    read_scores,
)
from experiments.models import Sweep, SweepColumns

# Bump when what is stored changes: older rows are then never read.
FORMAT = 1
__all__ = ["FIELDS", "STATUS_CODES", "Columns", "needed", "sweep_columns"]
_SCORE = "score:"  # the prefix of a scorer's array in the stored file


class Columns:
    """One entry per run: ``fields`` (``read.FIELDS`` but ``config_hash``),
    ``config`` (its config's number in ``hashes``, numbered in the order of
    each config's first run) and ``scores`` (per scorer, NaN where a run has
    no value)."""

    def __init__(
        self,
        fields: dict[str, np.ndarray],
        hashes: list[str],
        config: np.ndarray,
        scores: dict[str, np.ndarray],
    ) -> None:
        self.fields, self.hashes, self.config, self.scores = (
            fields,
            hashes,
            config,
            scores,
        )

    def where(self, mask: np.ndarray) -> Columns:
        """The runs of ``mask``; configs left without a run drop out, the
        others are numbered again by their first run among these."""
        ids = self.fields["id"][mask]
        codes = self.config[mask]
        first = np.full(len(self.hashes), np.iinfo(np.int64).max)
        np.minimum.at(first, codes, ids)
        kept = np.flatnonzero(first < np.iinfo(np.int64).max)
        kept = kept[np.argsort(first[kept], kind="stable")]
        number = np.empty(len(self.hashes), dtype=np.int64)
        number[kept] = np.arange(len(kept))
        return Columns(
            {name: values[mask] for name, values in self.fields.items()},
            [self.hashes[i] for i in kept],
            number[codes],
            {name: values[mask] for name, values in self.scores.items()},
        )

    def dump(self) -> bytes:
        buffer = io.BytesIO()
        arrays = {**self.fields, "config": self.config}
        arrays |= {_SCORE + name: values for name, values in self.scores.items()}
        np.savez(buffer, hashes=np.array(self.hashes, dtype=str), **arrays)
        # A third of the size; level 1 inflates 10 MB in some 20 ms.
        return zlib.compress(buffer.getbuffer(), 1)

    @classmethod
    def load(cls, data: bytes) -> Columns:
        with np.load(io.BytesIO(zlib.decompress(data)), allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        hashes = [str(h) for h in arrays.pop("hashes")]
        config = arrays.pop("config")
        scores = {
            name.removeprefix(_SCORE): arrays.pop(name)
            for name in list(arrays)
            if name.startswith(_SCORE)
        }
        return cls(arrays, hashes, config, scores)


def sweep_columns(
    runs: QuerySet,
    sweep_id: int,
    fields: tuple[str, ...],
    scorers: list[str],
    every_scorer: Callable[[], list[str]],
) -> Columns:
    """``runs`` (one sweep's, unordered) with their ``fields`` (the others
    as unknown: NaN, 0 or False) and ``scorers``' values. Once the sweep has
    ended: every field and every scorer (``every_scorer()``), from its
    stored columns when they are up to date, else read and stored."""
    key = _key(runs, sweep_id)
    if key is None:
        return _read(runs, needed(fields), scorers)
    stored = _stored(sweep_id, key)
    if stored is not None:
        return Columns.load(stored)
    columns = _read(runs, FIELDS, every_scorer())
    # One row per sweep: the key changed, so whatever else it had is stale.
    SweepColumns.objects.filter(sweep_id=sweep_id).exclude(key=key).delete()
    SweepColumns.objects.bulk_create(
        [SweepColumns(sweep_id=sweep_id, key=key, data=columns.dump())],
        ignore_conflicts=True,  # another process stored the same meanwhile
    )
    return columns


def _stored(sweep_id: int, key: str) -> bytes | None:
    found = SweepColumns.objects.filter(sweep_id=sweep_id, key=key).values("data")
    if connection.vendor != "postgresql":
        row = found.first()
        return None if row is None else bytes(row["data"])
    # Django's cursors answer in text: a bytea comes as hex, twice its size.
    sql, params = found.query.sql_with_params()
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, binary=True)
        row = cursor.fetchone()
    return None if row is None else bytes(row[0])


def needed(fields: tuple[str, ...]) -> tuple[str, ...]:
    """``fields`` and what every analysis reads: a run's config, status, score."""
    base = ("id", "config_hash", "status", "score")
    return (*base, *(f for f in FIELDS if f in fields and f not in base))


def _read(runs: QuerySet, fields: tuple[str, ...], scorers: list[str]) -> Columns:
    read = _defaults(read_runs(runs, fields))
    hashes, config = config_codes(read.pop("config_hash"), read["id"])
    return Columns(read, hashes, config, read_scores(read["id"], scorers))


def _defaults(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The fields not read, as "unknown" (NaN) or nothing (0, False)."""
    n = len(columns["id"])
    for name in FIELDS:
        if name not in columns:
            kind = {"cache_hit": bool, "item_id": np.int64, "sample_index": np.int64}
            empty = np.nan if kind.get(name) is None else 0
            columns[name] = np.full(n, empty, dtype=kind.get(name, float))
    return columns


def _key(runs: QuerySet, sweep_id: int) -> str | None:
    """The stored columns' key, or None while the sweep can still change."""
    state = (
        Sweep.objects.filter(pk=sweep_id)
        .values_list("status", "done", "errors", "cache_hits", "planned")
        .first()
    )
    if state is None or state[0] not in Sweep.FINAL:
        return None
    sql, params = runs.order_by().values_list("pk").query.sql_with_params()
    what = [FORMAT, connection.vendor, sql, [str(p) for p in params], state]
    return hashlib.sha256(json.dumps(what).encode()).hexdigest()
