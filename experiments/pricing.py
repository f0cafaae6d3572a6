"""The price formula, once: the engine's cost of a call and the validator's
estimate of a sweep both use it."""

from __future__ import annotations

from collections.abc import Mapping


def price_of(
    price: Mapping[str, float] | None, prompt_tokens: float, completion_tokens: float
) -> float | None:
    """USD for the tokens at ``price`` ({"input_per_mtok", "output_per_mtok"},
    USD per million tokens; a side left out is free). None when the model has
    no price: unknown, not free."""
    if not price:
        return None
    return (
        prompt_tokens * price.get("input_per_mtok", 0)
        + completion_tokens * price.get("output_per_mtok", 0)
    ) / 1_000_000
