"""A template in a spec: its syntax, the variables it uses against every
item, the earlier stages it reads, and a render of it for every item (within
one time allowance for the whole spec)."""

from __future__ import annotations

from typing import Any

import jinja2
from jinja2 import meta

from experiments.spec import stages as stage_names
from experiments.spec import templates
from experiments.spec.validator.base import Checker


def check_template(
    check: Checker,
    path: str,
    source: Any,
    extra: dict | None = None,
    stages: tuple[list[str], list[str]] | None = None,
) -> float:
    """Check syntax and variables against every item (and, in a pipeline,
    ``stages`` = (earlier, every) stage names); return the mean rendered
    length (for the cost estimate). ``extra`` are variables the template
    sees besides the item's (a judge's rubric sees ``output``)."""
    if not isinstance(source, str):
        return 0.0
    try:
        parsed = templates.parse_template(source)
        templates.compile_template(source)
    except jinja2.TemplateSyntaxError as exc:
        check.error(path, f"template syntax error at line {exc.lineno}: {exc.message}")
        return 0.0
    uses_stages = False
    if stages is not None:
        refs, problems = stage_names.stage_refs(parsed)
        problems += [
            p
            for stage in sorted({s for s, _ in refs})
            if (p := stage_names.ref_problem(stage, *stages))
        ]
        for problem in problems:
            check.error(path, problem)
        if problems:
            return 0.0
        uses_stages = bool(refs)
        extra = {**(extra or {}), "stages": None}
    items = check.items
    if not items:
        return float(len(source))
    names = meta.find_undeclared_variables(parsed) - set(extra or {})
    for name in sorted(names):
        missing = [
            n
            for n, item in enumerate(items, 1)
            if name not in item.input and name not in ("expected", "item")
        ]
        if missing:
            first = items[missing[0] - 1]
            check.error(
                path,
                f'variable "{name}" is not in {len(missing)} of {len(items)} '
                f"items (first: item {missing[0]}, which has: "
                f"{', '.join(sorted(first.input)) or 'no keys'})",
            )
    if check.reported(path):
        return 0.0
    if uses_stages:  # earlier outputs are unknown until the sweep runs
        return float(len(source))
    total = 0
    deadline = check.render_deadline()
    for n, item in enumerate(items, 1):
        context = templates.item_context(item.input, item.expected, item.tags)
        try:
            total += len(
                templates.render(source, {**context, **(extra or {})}, deadline)
            )
        except templates.RENDER_ERRORS as exc:
            # Includes the render limits (time, loops, size): a hostile
            # template is a field error, never a 500 or a hang.
            reason = templates.render_error(exc)
            check.error(path, f"cannot render for item {n}: {reason}")
            return 0.0
    return total / len(items)
