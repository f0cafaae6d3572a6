"""A SQLite function for searching JSON text in any case.

SQLite's LIKE ignores the case of ASCII letters only, and the JSON text it
stores escapes every other character (``Café`` is ``Caf\\u00e9``), so a
search for ``CAFÉ`` would miss it. ``JsonFold(field)`` reads a JSON column
back through Python, unescaped and case-folded; the search folds its text
alike. PostgreSQL's ILIKE on jsonb text needs none of this."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Func, TextField

JSON_FOLD = "promptlooper_json_fold"


def json_fold(text: str | None) -> str | None:
    """The JSON ``text`` with its characters unescaped and case-folded."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:  # not JSON: fold it as it is
        return text.casefold()
    return json.dumps(value, ensure_ascii=False).casefold()


class JsonFold(Func):
    function = JSON_FOLD
    output_field = TextField()


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created``: give each SQLite connection ``JSON_FOLD``."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            JSON_FOLD, 1, json_fold, deterministic=True
        )
