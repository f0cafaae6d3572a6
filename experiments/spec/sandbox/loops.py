"""Loop guards: every step of every ``for`` is counted against the budget."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jinja2 import pass_context

from experiments.spec.sandbox.budget import current_budget

# The name of the filter the environment wraps each loop's iterable in.
LOOP_GUARD = "_promptlooper_loop_guard"


def _guarded(iterable: Any) -> Iterator[Any]:
    budget = current_budget()
    if budget is None:
        yield from iterable
        return
    step = budget.loop_step
    for value in iterable:
        step()
        yield value


def iteration_guard(iterable: Any) -> Any:
    if current_budget() is None:
        return iterable
    # LoopContext needs a length for loop.length/revindex; keep it cheap.
    if isinstance(iterable, list | tuple | range | str | dict):
        return _Sized(iterable)
    return _guarded(iterable)


@pass_context  # which also keeps Jinja2 from running it at compile time
def loop_guard(context: Any, iterable: Any) -> Any:
    """Wraps each ``for`` loop's iterable (see ``BoundedEnvironment._generate``)."""
    return iteration_guard(iterable)


class _Sized:
    __slots__ = ("items",)

    def __init__(self, items: Any):
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Any]:
        return _guarded(self.items)
