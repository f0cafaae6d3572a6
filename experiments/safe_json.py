"""JSON from outside (API bodies, dataset files) that the rest of the code can
always store, render and walk: no NaN or infinite numbers (databases refuse
them), no integers too long to convert, no nesting deep enough to exhaust the
stack later (a copy, a template, the database driver)."""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 64
MAX_INT_DIGITS = 4300  # Python's own int/str conversion limit


class JSONTooComplex(ValueError):
    """Valid JSON that the application will not take (a ``ValueError`` like
    every other JSON problem)."""


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    try:
        value = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
    except RecursionError:
        raise JSONTooComplex(f"nested deeper than {max_depth} levels") from None
    check_depth(value, max_depth)
    return value


def check_depth(value: Any, max_depth: int = MAX_DEPTH) -> None:
    """Raise ``JSONTooComplex`` if lists/objects nest deeper than ``max_depth``.
    Iterative, so it cannot itself run out of stack."""
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict):
            children = current.values()
        elif isinstance(current, list | tuple):
            children = current
        else:
            continue
        if depth > max_depth:
            raise JSONTooComplex(f"nested deeper than {max_depth} levels")
        stack.extend((child, depth + 1) for child in children)


def _reject_constant(name: str) -> Any:
    raise JSONTooComplex(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JSONTooComplex(f"the number {text[:20]} is out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise JSONTooComplex(f"an integer has more than {MAX_INT_DIGITS} digits")
    return int(text)
