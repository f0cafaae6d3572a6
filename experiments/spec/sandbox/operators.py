"""The intercepted operators ``** * % +``: results sized before computed."""

from __future__ import annotations

from typing import Any

from experiments.spec.sandbox.budget import (
    MAX_INT_BITS,
    TemplateLimitError,
    max_chars,
    too_long,
)
from experiments.spec.sandbox.sizes import check_printf, check_size, text_size


def binop(op: str, left: Any, right: Any) -> Any:
    limit = max_chars()
    if op == "**":
        if isinstance(left, int) and isinstance(right, int) and right > 0:
            bits = right * max(1, abs(left).bit_length() - 1)
            if abs(left) > 1 and bits > MAX_INT_BITS:
                raise TemplateLimitError(
                    f"{left} ** {right} is too large a number "
                    f"(over {MAX_INT_BITS:,} bits)"
                )
        return left**right
    if op == "*":
        if isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise TemplateLimitError(
                    f"a product over {MAX_INT_BITS:,} bits is too large a number"
                )
        elif isinstance(right, int) and not isinstance(left, int | float):
            size = text_size(left, limit) * max(right, 0)
            if size > limit:
                raise too_long("a repetition", size, limit)
        elif isinstance(left, int) and not isinstance(right, int | float):
            size = text_size(right, limit) * max(left, 0)
            if size > limit:
                raise too_long("a repetition", size, limit)
        return left * right
    if op == "%":
        if isinstance(left, str):
            check_printf(left, right)
            return check_size(left % right, "a %-format's result")
        return left % right
    if op == "+":
        if not isinstance(left, int | float) and not isinstance(right, int | float):
            size = text_size(left, limit) + text_size(right, limit)
            if size > limit:
                raise too_long("a sum", size, limit)
        return left + right
    raise AssertionError(op)  # pragma: no cover - only intercepted ops come here
