"""One query for a sweep's runs, straight into numpy arrays.

On PostgreSQL each column comes back as one array (``array_agg``) in
psycopg's binary format, so 100,000 runs are a dozen values to decode rather
than a million; that halves the read against the ORM's rows. Elsewhere
(SQLite) the ORM's ``values_list`` is read with the garbage collector paused.
The scorers' values are a second read, of the score table alone (joining it
to the runs doubled the time of the first).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager

import numpy as np
import psycopg
from django.db import connection
from django.db.models import QuerySet

from experiments.models import Score

FIELDS = ("id", "config_hash", "item_id", "sample_index", "status", "score",
          "cost", "latency_ms", "cache_hit", "prompt_tokens",
          "completion_tokens")  # fmt: skip
INTEGERS = {"id", "item_id", "sample_index"}
STATUS_CODES = {"done": 1, "failed": 2}
# PostgreSQL: the status as its code, so the array is of small integers.
_PG_STATUS = "(CASE {} WHEN 'done' THEN 1 WHEN 'failed' THEN 2 ELSE 0 END)"


def read_runs(
    runs: QuerySet, fields: tuple[str, ...] = FIELDS
) -> dict[str, np.ndarray]:
    """Per field of ``fields`` (of ``FIELDS``: each column costs) an array
    with one entry per run: ``config_hash`` as a list of str, ``status`` as
    a code of ``STATUS_CODES`` (0 for the others), ``cache_hit`` as bool,
    numbers as float with NaN for NULL, but ids, items and samples as
    integers."""
    query = runs.order_by().values_list(*fields)
    if connection.vendor == "postgresql":
        columns = _pg_arrays(query, list(fields))
    else:
        columns = _orm_rows(query, list(fields))
    return {
        name: _array(name, values) for name, values in zip(fields, columns, strict=True)
    }


def read_scores(ids: np.ndarray, scorers: list[str]) -> dict[str, np.ndarray]:
    """Per scorer, its value for each run of ``ids`` (NaN where a run has
    none), aligned with ``ids``. The scores are read by the range of the
    runs' ids, through the (run, scorer) unique index, without a join: runs
    of another sweep in that range are dropped here."""
    out = {name: np.full(len(ids), np.nan) for name in scorers}
    if not scorers or not len(ids):
        return out
    found = (
        Score.objects.filter(
            run_id__gte=int(ids.min()), run_id__lte=int(ids.max()), scorer__in=scorers
        )
        .order_by()  # the model's ordering would join the runs and sweeps
        .values_list("run_id", "scorer", "value")
    )
    if connection.vendor == "postgresql":
        groups = _pg_score_arrays(found, scorers)
    else:
        groups = _orm_score_rows(found, scorers)
    order = np.argsort(ids, kind="stable")
    for name, (found_ids, values) in zip(scorers, groups, strict=True):
        run_ids = np.asarray(found_ids, dtype=np.int64)
        at = order[np.searchsorted(ids, run_ids, sorter=order).clip(0, len(ids) - 1)]
        mine = ids[at] == run_ids
        out[name][at[mine]] = np.asarray(values, dtype=float)[mine]
    return out


def config_codes(hashes, ids: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The distinct config hashes in the order of their first run (the
    planner's), and each run's config number."""
    index: dict[str, int] = {}
    seen = np.fromiter(
        (index.setdefault(h, len(index)) for h in hashes), np.int64, len(ids)
    )
    first = np.full(len(index), np.iinfo(np.int64).max)
    np.minimum.at(first, seen, ids)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    labels = list(index)
    return [labels[i] for i in order], rank[seen]


def _array(name: str, values) -> np.ndarray:
    if name == "config_hash":  # only ever factorized: config_codes
        return values
    if name == "status":
        if values and isinstance(values[0], str):  # the ORM's rows
            values = [STATUS_CODES.get(v, 0) for v in values]
        return np.array(values, dtype=np.int64)
    if name == "cache_hit":
        return np.array(values, dtype=bool)
    if name in INTEGERS:
        return np.array(values, dtype=np.int64)
    return np.array(values, dtype=float)  # None -> NaN


def _pg_arrays(query: QuerySet, names: list[str]) -> list[list]:
    sql, params = query.query.sql_with_params()
    width = len(names)
    aliases = [f"c{i}" for i in range(width)]
    aggregates = [
        f"array_agg({_PG_STATUS.format(a) if name == 'status' else a})"
        for name, a in zip(names, aliases, strict=True)
    ]
    sql = (
        f"SELECT count(*), {', '.join(aggregates)} "
        f"FROM ({sql}) AS q({', '.join(aliases)})"
    )
    connection.ensure_connection()
    # Django's cursors bind on the client and answer in text; a plain
    # psycopg cursor on the same connection can ask for binary results.
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, binary=True)
        count, *columns = cursor.fetchone() or (0,)
    return [column or [] for column in columns] if count else [[]] * width


def _pg_score_arrays(query: QuerySet, scorers: list[str]) -> list[tuple[list, list]]:
    sql, params = query.query.sql_with_params()
    pairs = [
        "array_agg(r) FILTER (WHERE s = %s), array_agg(v) FILTER (WHERE s = %s)"
    ] * len(scorers)
    sql = f"SELECT {', '.join(pairs)} FROM ({sql}) AS q(r, s, v)"
    names = [name for name in scorers for _ in range(2)]
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, (*names, *params), binary=True)
        row = cursor.fetchone() or ()
    return [(row[2 * i] or [], row[2 * i + 1] or []) for i in range(len(scorers))]


def _orm_score_rows(query: QuerySet, scorers: list[str]) -> list[tuple[list, list]]:
    by_scorer: dict[str, tuple[list, list]] = {name: ([], []) for name in scorers}
    with _no_gc():
        for run_id, scorer, value in query:
            by_scorer[scorer][0].append(run_id)
            by_scorer[scorer][1].append(value)
    return [by_scorer[name] for name in scorers]


def _orm_rows(query: QuerySet, names: list[str]) -> list:
    with _no_gc():  # 100,000 tuples: the collector would walk them repeatedly
        rows = list(query)
        return list(zip(*rows, strict=True)) if rows else [()] * len(names)


@contextmanager
def _no_gc():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
