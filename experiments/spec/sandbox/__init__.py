"""A Jinja2 sandbox whose renders are bounded in time, loop steps and size.

Jinja2's own sandbox stops templates reaching Python internals but not from
burning the process: ``{{ 9**9**9 }}`` or ``{{ 'a' * 10**10 }}`` are folded
at *compile* time, and two nested loops over ``range(100000)`` run for ever.
A template is a user's input on a shared web process, so every operation
that can make a value or the output explode is checked before it runs:

* the operators ``* ** % +`` are intercepted (which also stops Jinja2 from
  folding them at compile time) and refuse results over the size limits
  (``operators``);
* ``~`` concatenation, block buffers (macros, ``{% set %}`` blocks, filter
  blocks) and the rendered output refuse to grow past the output limit
  (``environment``, ``render``);
* filters and string methods refuse width/padding arguments over the limit
  and results over it; ``lipsum`` is bounded the same way (``filters``,
  ``calls``);
* every ``for`` (and each ``loop(...)`` of a recursive loop) counts its
  iterations against a per-render budget, and loop steps, calls and filters
  check a per-render deadline (``loops``, ``budget``).

Limits are read from the settings at each render (``setting()``), so tests and
operators change them without rebuilding anything. Over a limit, rendering
raises ``TemplateLimitError`` (a ``jinja2.TemplateError``) naming the limit.
"""

from __future__ import annotations

from experiments.spec.sandbox.budget import (
    DEFAULT_MAX_LOOP_ITERATIONS,
    DEFAULT_MAX_OUTPUT_CHARS,
    DEFAULT_MAX_RENDER_MS,
    MAX_INT_BITS,
    Budget,
    TemplateLimitError,
    current_budget,
)
from experiments.spec.sandbox.environment import BoundedEnvironment
from experiments.spec.sandbox.render import render_bounded
from experiments.spec.sandbox.sizes import text_size

__all__ = [
    "DEFAULT_MAX_LOOP_ITERATIONS",
    "DEFAULT_MAX_OUTPUT_CHARS",
    "DEFAULT_MAX_RENDER_MS",
    "MAX_INT_BITS",
    "BoundedEnvironment",
    "Budget",
    "TemplateLimitError",
    "current_budget",
    "render_bounded",
    "text_size",
]
