"""Ids and numbers taken from URLs and query strings.

A run of digits may be past what the database's id column holds (a query
error) or past what Python converts to an int (4300 digits, ``ValueError``):
such a number names nothing, so it answers like any id that does not exist.
"""

from __future__ import annotations

from django.http import Http404

MAX_ID = 2**63 - 1  # BigAutoField
_MAX_DIGITS = len(str(MAX_ID))


def parse_id(text: str) -> int | None:
    """``text`` as an id, or None if it is not one any row can have."""
    text = str(text)
    if not text.isdigit() or len(text) > _MAX_DIGITS:
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def id_or_404(text: str) -> int:
    value = parse_id(text)
    if value is None:
        raise Http404("Not found.")
    return value
