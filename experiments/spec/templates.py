"""Prompt templates: Jinja2 in a sandbox, undefined variables are errors.

The validator and the engine render through the same functions, so a spec
that validates renders the same way when it runs.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2
from jinja2 import StrictUndefined, Template
from jinja2.sandbox import SandboxedEnvironment

_ENV = SandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
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


def render(source: str, context: dict) -> str:
    return compile_template(source).render(context)


def render_messages(messages: list[dict], context: dict) -> list[dict]:
    return [
        {**message, "content": render(message["content"], context)}
        for message in messages
    ]


def syntax_error(source: str) -> str | None:
    """A readable message when ``source`` is not a valid template, else None."""
    try:
        parse_template(source)
    except jinja2.TemplateSyntaxError as exc:
        return f"template syntax error on line {exc.lineno}: {exc.message}"
    return None
