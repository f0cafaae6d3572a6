"""Filter guards: width arguments, inputs and results bounded; and lipsum."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

from jinja2.utils import _PassArg, generate_lorem_ipsum

from experiments.spec.sandbox.budget import max_chars, state, too_long
from experiments.spec.sandbox.sizes import (
    check_int_args,
    check_printf,
    check_replace,
    check_size,
    text_size,
)

# Filters whose integer arguments are widths or counts of what they make.
_WIDTH_FILTERS = frozenset(
    ["batch", "center", "indent", "slice", "tojson", "truncate", "urlize", "wordwrap"]
)
# Filters that do not turn their value into text: no size check on the value.
_NOT_TEXT = frozenset(
    [
        "abs",
        "attr",
        "batch",
        "bool",
        "count",
        "d",
        "default",
        "dictsort",
        "first",
        "float",
        "groupby",
        "int",
        "items",
        "last",
        "length",
        "list",
        "map",
        "max",
        "min",
        "random",
        "reject",
        "rejectattr",
        "reverse",
        "round",
        "select",
        "selectattr",
        "slice",
        "sort",
        "sum",
        "unique",
    ]
)


def guard_filter(name: str, func: Callable) -> Callable:
    skip = 1 if _PassArg.from_obj(func) is not None else 0
    what = f"the {name} filter's"
    widths, text = name in _WIDTH_FILTERS, name not in _NOT_TEXT
    special = name in ("join", "replace", "format")

    @wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        # Called for every filter of every render: the common case (a string
        # in, a string out) costs a clock read and two length checks.
        budget = getattr(state, "budget", None)
        if budget is not None:
            budget.check_clock()
        if widths:
            check_int_args((*args[skip + 1 :], *kwargs.values()), what)
        if len(args) > skip and _is_iterator(args[skip]):
            # A lazy value (map, select...): bound what this filter reads.
            args = (*args[:skip], _bounded_stream(args[skip]), *args[skip + 1 :])
        if text:
            value = args[skip] if len(args) > skip else None
            if type(value) is not str:
                check_size(value, f"the value given to {name}")
            if special:
                _check_filter_args(name, value, args[skip + 1 :], kwargs)
        result = func(*args, **kwargs)
        if type(result) is str:
            limit = budget.max_chars if budget is not None else max_chars()
            if len(result) > limit:
                raise too_long(f"{what} result", len(result), limit)
        elif isinstance(result, list | tuple):
            check_size(result, f"{what} result")
        return result

    return guarded


def _is_iterator(value: Any) -> bool:
    return (
        type(value) is not str
        and not hasattr(value, "__len__")
        and hasattr(value, "__next__")
    )


def _bounded_stream(values: Iterator[Any]) -> Iterator[Any]:
    limit, total = max_chars(), 0
    for value in values:
        total += text_size(value, limit)
        if total > limit:
            raise too_long("a filter's input", total, limit)
        yield value


def _check_filter_args(name: str, value: Any, rest: tuple, kwargs: dict) -> None:
    if name == "join":
        sep = rest[0] if rest else kwargs.get("d", "")
        count = len(value) if hasattr(value, "__len__") else 0
        limit = max_chars()
        size = text_size(value, limit) + len(str(sep)) * count
        if size > limit:
            raise too_long("a join", size, limit)
    elif name == "replace" and isinstance(value, str) and len(rest) >= 2:
        check_replace(value, str(rest[0]), str(rest[1]))
    elif name == "format" and isinstance(value, str):
        check_printf(value, kwargs or rest)


def lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    # Up to ``max`` words of up to ~12 characters per paragraph.
    limit, words = max_chars(), min if min > max else max
    if n * words * 12 > limit:
        raise too_long("lipsum", n * words * 12, limit)
    return generate_lorem_ipsum(n, html, min, max)
