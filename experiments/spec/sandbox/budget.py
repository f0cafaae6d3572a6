"""The per-render budget: limits, the error raised over them, and the clock.

The budget of the render in progress lives in a thread-local, so the guards
(operators, loops, filters, calls) find it without it being passed around.
"""

from __future__ import annotations

import threading
import time

from jinja2.sandbox import SecurityError

DEFAULT_MAX_OUTPUT_CHARS = 1_000_000
DEFAULT_MAX_RENDER_MS = 1_000
DEFAULT_MAX_LOOP_ITERATIONS = 100_000
# Integers past this many bits are refused: Python will not even print more
# than 4300 digits (~14,300 bits), and a bigger power is only a way to stall.
MAX_INT_BITS = 1 << 16
# How often (in loop steps) a loop looks at the clock.
_CLOCK_EVERY = 64


class TemplateLimitError(SecurityError):
    """A template went over a render limit (size, loop steps or time)."""


def setting(name: str, default: int) -> int:
    from django.conf import settings

    return getattr(settings, name, default)


def too_long(what: str, size: int, limit: int) -> TemplateLimitError:
    return TemplateLimitError(
        f"{what} would be {size:,} characters, over the limit of {limit:,} "
        "(PROMPTLOOPER_TEMPLATE_MAX_OUTPUT_CHARS)"
    )


class Budget:
    """What one render may still spend. Only the output limit is read up
    front; the clock and loop limits are read the first time they are needed,
    so a render without loops costs one settings read."""

    __slots__ = (
        "deadline",
        "given",
        "iterations",
        "max_chars",
        "max_iterations",
        "max_ms",
        "overall",
        "start",
        "steps",
        "stored",
    )

    def __init__(self, max_chars: int, deadline: float | None = None):
        self.start, self.given, self.max_chars = time.monotonic(), deadline, max_chars
        self.deadline: float | None = None
        self.iterations: int | None = None
        self.steps = self.stored = 0

    def check_clock(self) -> None:
        if self.deadline is None:
            self.max_ms = setting("TEMPLATE_MAX_RENDER_MS", DEFAULT_MAX_RENDER_MS)
            own = self.start + self.max_ms / 1000
            # A caller's deadline (several renders sharing one) may come first.
            self.overall = self.given is not None and self.given < own
            self.deadline = self.given if self.overall else own
        if time.monotonic() > self.deadline:
            if self.overall:
                raise TemplateLimitError(
                    "rendering ran out of the time allowed for checking all "
                    "templates (PROMPTLOOPER_TEMPLATE_VALIDATE_MS)"
                )
            raise TemplateLimitError(
                f"rendering took over {self.max_ms:,} ms "
                "(PROMPTLOOPER_TEMPLATE_MAX_RENDER_MS)"
            )

    def loop_step(self) -> None:
        if self.iterations is None:
            self.max_iterations = setting(
                "TEMPLATE_MAX_LOOP_ITERATIONS", DEFAULT_MAX_LOOP_ITERATIONS
            )
            self.iterations = self.max_iterations
        self.iterations -= 1
        if self.iterations < 0:
            raise TemplateLimitError(
                f"loops ran over {self.max_iterations:,} iterations "
                "(PROMPTLOOPER_TEMPLATE_MAX_LOOP_ITERATIONS)"
            )
        self.steps += 1
        if self.steps % _CLOCK_EVERY == 0:
            self.check_clock()


state = threading.local()


def current_budget() -> Budget | None:
    return getattr(state, "budget", None)


def max_chars() -> int:
    budget = current_budget()
    if budget is not None:
        return budget.max_chars
    return setting("TEMPLATE_MAX_OUTPUT_CHARS", DEFAULT_MAX_OUTPUT_CHARS)


def tick() -> None:
    budget = getattr(state, "budget", None)
    if budget is not None:
        budget.check_clock()
