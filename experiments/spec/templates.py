"""Prompt templates: Jinja2 in a sandbox, undefined variables are errors.

The validator and the engine render through the same functions, so a spec
that validates renders the same way when it runs. Renders are bounded in
time, loop steps and size (the ``sandbox`` package); over a limit they raise
``TemplateLimitError``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2
from jinja2 import StrictUndefined, Template

from experiments.spec.sandbox import (
    BoundedEnvironment,
    render_bounded,
)
from experiments.spec.sandbox import (
    TemplateLimitError as TemplateLimitError,  # re-exported for callers
)

_ENV = BoundedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
)
# What a render can raise for a bad template, beyond ``jinja2.TemplateError``
# (which includes ``TemplateLimitError``): Python's own refusals.
RENDER_ERRORS = (
    jinja2.TemplateError,
    TypeError,
    ValueError,
    ArithmeticError,
    LookupError,
    MemoryError,
    RecursionError,
)


@lru_cache(maxsize=2048)
def compile_template(source: str) -> Template:
    """Compile (and cache) a template; raises ``jinja2.TemplateSyntaxError``."""
    return _ENV.from_string(source)


def parse_template(source: str):
    return _ENV.parse(source)


def item_context(
    input: dict, expected: Any = None, tags: list[str] | None = None
) -> dict:
    """Variables a template sees: the input's keys, ``expected`` and ``item``."""
    return {
        **input,
        "expected": expected,
        "item": {"input": input, "expected": expected, "tags": tags or []},
    }


def render(source: str, context: dict, deadline: float | None = None) -> str:
    """Render within the limits; ``deadline`` (``time.monotonic``) can cut
    the time short when several renders share one allowance."""
    return render_bounded(compile_template(source), context, deadline)


def render_messages(messages: list[dict], context: dict) -> list[dict]:
    return [
        {**message, "content": render(message["content"], context)}
        for message in messages
    ]


def render_error(exc: BaseException) -> str:
    """The readable reason a render failed."""
    if isinstance(exc, RecursionError):
        return "templates call each other too deeply (recursion limit)"
    if isinstance(exc, MemoryError):
        return "rendering ran out of memory"
    if isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        return "a number has too many digits to print (over 4300)"
    if isinstance(exc, jinja2.TemplateError):
        return exc.message or type(exc).__name__
    return str(exc) or type(exc).__name__


def syntax_error(source: str) -> str | None:
    """A readable message when ``source`` is not a valid template, else None."""
    try:
        parse_template(source)
    except jinja2.TemplateSyntaxError as exc:
        return f"template syntax error on line {exc.lineno}: {exc.message}"
    return None
