"""Size estimates and the checks built on them (values, widths, formats)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from jinja2.utils import Namespace

from experiments.spec.sandbox.budget import TemplateLimitError, max_chars, too_long

SEQUENCES = (list, tuple, set, frozenset)


def text_size(value: Any, limit: int) -> int:
    """About how many characters ``str(value)`` has; stops counting once past
    ``limit``, so the cost is bounded whatever the value."""
    if isinstance(value, str):
        return len(value)
    total, stack = 0, [(value, 0)]
    while stack and total <= limit:
        item, depth = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1
        elif isinstance(item, (bytes, bytearray)):
            total += 4 * len(item) + 3
        elif isinstance(item, Namespace | dict):
            mapping = item._Namespace__attrs if isinstance(item, Namespace) else item
            total += 14 + 4 * len(mapping)
            if depth < 100:
                stack.extend((k, depth + 1) for k in mapping)
                stack.extend((v, depth + 1) for v in mapping.values())
        elif isinstance(item, SEQUENCES):
            total += 2 + 2 * len(item)
            if depth < 100 and total <= limit:
                stack.extend((v, depth + 1) for v in item)
        else:
            total += 16
    return total


def check_size(value: Any, what: str) -> Any:
    limit = max_chars()
    size = text_size(value, limit)
    if size > limit:
        raise too_long(what, size, limit)
    return value


def check_int_args(args: Iterable[Any], what: str) -> None:
    limit = max_chars()
    for arg in args:
        if type(arg) is int and abs(arg) > limit:
            raise TemplateLimitError(
                f"{what} argument {arg:,} is over the limit of {limit:,} "
                "(PROMPTLOOPER_TEMPLATE_MAX_OUTPUT_CHARS)"
            )


# printf-style widths and precisions: %10s, %-*d, %.5f, %(name)20s
_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0 +\-]*(\d+|\*)?(?:\.(\d+|\*))?")
_NUMBER = re.compile(r"\d+")


def check_printf(fmt: str, args: Any) -> None:
    limit, star = max_chars(), False
    for width, precision in _PRINTF.findall(fmt):
        for number in (width, precision):
            if number == "*":
                star = True
            elif number and int(number) > limit:
                raise too_long("a %-format width", int(number), limit)
    values = args if isinstance(args, tuple) else (args,)
    if star:
        check_int_args(values, "a %-format * width")
    check_size(values, "a %-format's arguments")


def check_format_spec(spec: str) -> None:
    limit = max_chars()
    for number in _NUMBER.findall(spec):
        if len(number) > 9 or int(number) > limit:
            raise too_long("a format width", int(number[:30]), limit)


def check_replace(text: str, old: str, new: str) -> None:
    limit = max_chars()
    count = len(text) + 1 if not old else text.count(old)
    size = len(text) + count * (len(new) - len(old))
    if size > limit:
        raise too_long("a replace", size, limit)
