"""Bulk writes for the sweep's one writer: COPY on PostgreSQL, executemany else.

On psycopg 3 Django binds parameters client-side, quoting every value in
Python, and ``bulk_create`` sends each column as an array to unnest; on the
sweep's write path that cost more CPU than the rest of the engine, on the two
cores the engine shares with the database and (in the benchmark) the model.
COPY into a temporary table, then one ``INSERT ... SELECT`` or
``UPDATE ... FROM``, is a fixed handful of round trips per batch, with no
quoting and no SQL text that grows with the batch. SQLite has no COPY and no
network: a prepared statement run through executemany is its fast path.

Rows are tuples of model values in the order of ``fields``, prepared by each
field's ``get_db_prep_save`` (so JSON, dates and encrypted fields store as
the ORM would store them).
"""

from __future__ import annotations

import weakref
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper

# Temporary tables each PostgreSQL connection has made (they live as long as
# the connection): saves a CREATE per batch.
_staged: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    unique: Sequence[str] = (),
    update: Sequence[str] = (),
) -> None:
    """INSERT ``rows``. With ``unique`` (the fields of a unique constraint), a
    row that conflicts updates the ``update`` fields, or is skipped if none;
    without, PostgreSQL copies the rows straight into the table."""
    model_fields = _fields(model, fields)
    prepared = _prepare(model_fields, rows)
    if not prepared:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(_column(f)) for f in model_fields)
    conflict = ""
    if unique:
        targets = ", ".join(quote(_column(f)) for f in _fields(model, unique))
        sets = ", ".join(
            f"{quote(c)} = EXCLUDED.{quote(c)}"
            for c in (_column(f) for f in _fields(model, update))
        )
        action = f"DO UPDATE SET {sets}" if update else "DO NOTHING"
        conflict = f" ON CONFLICT ({targets}) {action}"
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not unique:
            _copy(cursor, table, columns, prepared)
        elif connection.vendor == "postgresql":
            with _staged_rows(cursor, model, model_fields, prepared) as staged:
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) "
                    f"SELECT {columns} FROM {staged}{conflict}"
                )
        else:
            marks = ", ".join(["%s"] * len(model_fields))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}){conflict}"
            cursor.executemany(sql, prepared)


def update(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]
) -> None:
    """UPDATE by primary key: each row is ``(pk, *values of fields)``."""
    pk = model._meta.pk
    if pk is None:  # abstract models have none; they have no table either
        raise ValueError(f"{model.__name__} has no primary key")
    model_fields = [pk, *_fields(model, fields)]
    prepared = _prepare(model_fields, rows)
    if not prepared:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    key = quote(_column(pk))
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sets = ", ".join(
                f"{quote(_column(f))} = staged.{quote(_column(f))}"
                for f in model_fields[1:]
            )
            with _staged_rows(cursor, model, model_fields, prepared) as staged:
                cursor.execute(
                    f"UPDATE {table} SET {sets} FROM {staged} AS staged "
                    f"WHERE {table}.{key} = staged.{key}"
                )
        else:
            sets = ", ".join(f"{quote(_column(f))} = %s" for f in model_fields[1:])
            sql = f"UPDATE {table} SET {sets} WHERE {key} = %s"
            cursor.executemany(sql, [[*row[1:], row[0]] for row in prepared])


# Fields whose values both drivers take as they are: no per-value call for
# them (exact types: a subclass, such as an encrypted field, may convert).
_AS_IS = {
    models.AutoField,
    models.BigAutoField,
    models.BigIntegerField,
    models.BooleanField,
    models.CharField,
    models.FloatField,
    models.IntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SmallIntegerField,
    models.TextField,
}


def _fields(model: type[models.Model], names: Iterable[str]) -> list[models.Field]:
    """The model's fields ``names``; a reverse relation (no column) is refused."""
    fields = []
    for name in names:
        field = model._meta.get_field(name)
        if not isinstance(field, models.Field):
            raise ValueError(f"{model.__name__}.{name} has no column")
        fields.append(field)
    return fields


def _column(field: models.Field) -> str:
    if field.column is None:  # a non-concrete field: nothing to write
        raise ValueError(f"{field} has no column")
    return field.column


def _as_is(field: models.Field) -> bool:
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    return type(field) in _AS_IS


def _prepare(model_fields: list[models.Field], rows: Iterable[Sequence]) -> list[list]:
    real = connections[DEFAULT_DB_ALIAS]  # not the proxy: it is asked per value
    converters = [None if _as_is(f) else _saver(f, real) for f in model_fields]
    return [
        [
            v if convert is None or v is None else convert(v)
            for convert, v in zip(converters, row, strict=True)
        ]
        for row in rows
    ]


def _saver(field: models.Field, real: BaseDatabaseWrapper) -> Callable[[Any], Any]:
    return lambda value: field.get_db_prep_save(value, real)


@contextmanager
def _staged_rows(
    cursor: CursorWrapper,
    model: type[models.Model],
    model_fields: list[models.Field],
    rows: list,
) -> Iterator[str]:
    """COPY ``rows`` into a temporary table shaped like those columns of the
    model's table and give its quoted name; emptied after use, since one
    transaction may stage twice (ON COMMIT DELETE ROWS is the safety net)."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(f)) for f in model_fields)
    digest = zlib.crc32(columns.encode())
    name = quote(f"staged_{model._meta.db_table}_{digest:08x}")
    made = _staged.setdefault(connection.connection, set())
    if name not in made:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} ON COMMIT DELETE ROWS AS "
            f"SELECT {columns} FROM {quote(model._meta.db_table)} WITH NO DATA"
        )
        # A rolled-back transaction takes the new table with it.
        transaction.on_commit(lambda: made.add(name))
    _copy(cursor, name, columns, rows)
    yield name
    cursor.execute(f"DELETE FROM {name}")


def _copy(cursor: CursorWrapper, table: str, columns: str, rows: list) -> None:
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
