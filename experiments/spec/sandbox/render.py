"""Rendering under a fresh budget, with the output counted as it is made."""

from __future__ import annotations

from jinja2 import Template

from experiments.spec.sandbox.budget import (
    DEFAULT_MAX_OUTPUT_CHARS,
    Budget,
    setting,
    state,
    too_long,
)


def render_bounded(template: Template, context: dict, deadline: float | None) -> str:
    """Render ``template`` within the limits; ``deadline`` (monotonic) may
    shorten the render's own time limit (several renders sharing one)."""
    limit = setting("TEMPLATE_MAX_OUTPUT_CHARS", DEFAULT_MAX_OUTPUT_CHARS)
    previous = getattr(state, "budget", None)
    state.budget = Budget(limit, deadline)
    try:
        # Template.render, but the output is counted as it is made.
        size, out = 0, []
        try:
            for chunk in template.root_render_func(template.new_context(context)):
                size += len(chunk)
                if size > limit:
                    raise too_long("the rendered text", size, limit)
                out.append(chunk)
        except Exception:
            template.environment.handle_exception()
        return "".join(out)
    finally:
        state.budget = previous
