"""SHA-256 of canonical JSON: the one way the project hashes a JSON value.

Two spellings, both from ``canonical_json``:

- ``sha256_json``: numbers compared by value (1 == 1.0), text kept as UTF-8.
  Cache keys and config hashes, where "temperature: 1" and "temperature: 1.0"
  must be one key.
- ``content_sha256``: numbers as given, text ASCII-escaped. The content
  hashes stored on prompt versions and dataset items were written this way;
  another spelling would make every stored one differ from a fresh one (and
  re-imported items duplicate).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def _by_value(value: Any) -> Any:
    """Numbers compare by value: 1 == 1.0 and 0.7 == 0.70 give one spelling."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {str(k): _by_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_by_value(v) for v in value]
    return value


def canonical_json(
    value: Any, *, by_value: bool = True, ascii_only: bool = False
) -> str:
    """Sorted keys, no spaces; see the module docstring for the two options."""
    return json.dumps(
        _by_value(value) if by_value else value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=ascii_only,
    )


def sha256_json(value: Any) -> str:
    """Cache keys and config hashes (numbers by value, UTF-8)."""
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


def content_sha256(value: Any) -> str:
    """Stored content hashes of prompt versions and dataset items."""
    return hashlib.sha256(
        canonical_json(value, by_value=False, ascii_only=True).encode()
    ).hexdigest()
