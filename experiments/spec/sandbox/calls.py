"""Call guards: string and container methods, and ``str.format`` fields."""

from __future__ import annotations

from typing import Any

from jinja2.sandbox import SandboxedEscapeFormatter, SandboxedFormatter

from experiments.spec.sandbox.budget import current_budget, max_chars, too_long
from experiments.spec.sandbox.sizes import (
    check_format_spec,
    check_int_args,
    check_replace,
    check_size,
    text_size,
)

# String methods whose integer argument is the length of the result.
_PADDING = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


def count_stored(args: tuple, kwargs: dict) -> None:
    # What list.append/extend, dict.update... put in containers adds up over
    # a render: many distinct big strings kept in a list are memory the
    # output limit alone would not see.
    budget = current_budget()
    if budget is None:
        return
    limit = budget.max_chars
    budget.stored += text_size(args, limit) + text_size(kwargs, limit)
    if budget.stored > limit:
        raise too_long("what the template stored in lists", budget.stored, limit)


def check_str_method(text: str, name: str, args: tuple) -> None:
    if name in _PADDING:
        check_int_args(args, f"str.{name}")
    elif name == "join" and args:
        items = args[0]
        count = len(items) if hasattr(items, "__len__") else 0
        limit = max_chars()
        size = text_size(items, limit) + len(text) * count
        if size > limit:
            raise too_long("a join", size, limit)
    elif name == "replace" and len(args) >= 2:
        check_replace(text, str(args[0]), str(args[1]))


class Formatter(SandboxedFormatter):
    def format_field(self, value: Any, format_spec: str) -> Any:
        check_format_spec(format_spec)
        if not isinstance(value, str):
            check_size(value, "a formatted value")
        return super().format_field(value, format_spec)


class EscapeFormatter(SandboxedEscapeFormatter):
    format_field = Formatter.format_field
