"""The output as JSON, strictly, for the engine (``Run.output_json``) and the
JSON scorers alike: the whole output, surrounding whitespace aside, must be
one JSON value. No code fences or prose around it, and no NaN or Infinity
(not JSON, and databases refuse them)."""

from __future__ import annotations

import json
from typing import Any


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def loads_output(text: str) -> Any:
    """The parsed output; raises ``ValueError`` saying why it is not JSON."""
    try:
        return json.loads(text.strip(), parse_constant=_reject_constant)
    except RecursionError:  # nested deeper than the parser goes
        raise ValueError("nested too deeply to parse") from None


def output_json(text: str) -> Any:
    """The parsed output, or None when it is not JSON."""
    try:
        return loads_output(text)
    except ValueError:
        return None
