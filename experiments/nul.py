"""NUL characters (``\\x00``): PostgreSQL refuses them in text and JSON
columns, so input holding one is refused up front with a clear error instead
of failing at the database (a 500, or only in PostgreSQL mode)."""

from __future__ import annotations

from typing import Any

NUL_MESSAGE = "must not contain a NUL character (\\x00)"


def nul_path(value: Any, path: str = "") -> str | None:
    """The path (``a.b[0]``) of the first key or string holding a NUL, else None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, child in value.items():
            here = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and "\x00" in key:
                return here.replace("\x00", "\\x00")
            found = nul_path(child, here)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, child in enumerate(value):
            found = nul_path(child, f"{path}[{index}]")
            if found is not None:
                return found
    return None
