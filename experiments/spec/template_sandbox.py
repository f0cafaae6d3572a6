"""A Jinja2 sandbox whose renders are bounded in time, loop steps and size.

Jinja2's own sandbox stops templates reaching Python internals but not from
burning the process: ``{{ 9**9**9 }}`` or ``{{ 'a' * 10**10 }}`` are folded
at *compile* time, and two nested loops over ``range(100000)`` run for ever.
A template is a user's input on a shared web process, so every operation
that can make a value or the output explode is checked before it runs:

* the operators ``* ** % +`` are intercepted (which also stops Jinja2 from
  folding them at compile time) and refuse results over the size limits;
* ``~`` concatenation, block buffers (macros, ``{% set %}`` blocks, filter
  blocks) and the rendered output refuse to grow past the output limit;
* filters and string methods refuse width/padding arguments over the limit
  and results over it; ``lipsum`` is bounded the same way;
* every ``for`` (and each ``loop(...)`` of a recursive loop) counts its
  iterations against a per-render budget, and loop steps, calls and filters
  check a per-render deadline.

Limits are read from the settings at each render (``setting()``), so tests and
operators change them without rebuilding anything. Over a limit, rendering
raises ``TemplateLimitError`` (a ``jinja2.TemplateError``) naming the limit.
"""

from __future__ import annotations

import re
import threading
import time
import types
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from typing import Any

from jinja2 import Template, nodes, pass_context
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.runtime import LoopContext
from jinja2.sandbox import (
    SandboxedEnvironment,
    SandboxedEscapeFormatter,
    SandboxedFormatter,
    SecurityError,
)
from jinja2.utils import Namespace, _PassArg, generate_lorem_ipsum
from markupsafe import Markup

DEFAULT_MAX_OUTPUT_CHARS = 1_000_000
DEFAULT_MAX_RENDER_MS = 1_000
DEFAULT_MAX_LOOP_ITERATIONS = 100_000
# Integers past this many bits are refused: Python will not even print more
# than 4300 digits (~14,300 bits), and a bigger power is only a way to stall.
MAX_INT_BITS = 1 << 16
# How often (in loop steps) a loop looks at the clock.
_CLOCK_EVERY = 64
LOOP_GUARD = "_promptlooper_loop_guard"


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


_state = threading.local()


def current_budget() -> Budget | None:
    return getattr(_state, "budget", None)


def _max_chars() -> int:
    budget = current_budget()
    if budget is not None:
        return budget.max_chars
    return setting("TEMPLATE_MAX_OUTPUT_CHARS", DEFAULT_MAX_OUTPUT_CHARS)


def _tick() -> None:
    budget = getattr(_state, "budget", None)
    if budget is not None:
        budget.check_clock()


# --- sizes -------------------------------------------------------------------
_SEQUENCES = (list, tuple, set, frozenset)


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
        elif isinstance(item, _SEQUENCES):
            total += 2 + 2 * len(item)
            if depth < 100 and total <= limit:
                stack.extend((v, depth + 1) for v in item)
        else:
            total += 16
    return total


def _check_size(value: Any, what: str) -> Any:
    limit = _max_chars()
    size = text_size(value, limit)
    if size > limit:
        raise too_long(what, size, limit)
    return value


def _check_int_args(args: Iterable[Any], what: str) -> None:
    limit = _max_chars()
    for arg in args:
        if type(arg) is int and abs(arg) > limit:
            raise TemplateLimitError(
                f"{what} argument {arg:,} is over the limit of {limit:,} "
                "(PROMPTLOOPER_TEMPLATE_MAX_OUTPUT_CHARS)"
            )


# printf-style widths and precisions: %10s, %-*d, %.5f, %(name)20s
_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0 +\-]*(\d+|\*)?(?:\.(\d+|\*))?")
_NUMBER = re.compile(r"\d+")


def _check_printf(fmt: str, args: Any) -> None:
    limit, star = _max_chars(), False
    for width, precision in _PRINTF.findall(fmt):
        for number in (width, precision):
            if number == "*":
                star = True
            elif number and int(number) > limit:
                raise too_long("a %-format width", int(number), limit)
    values = args if isinstance(args, tuple) else (args,)
    if star:
        _check_int_args(values, "a %-format * width")
    _check_size(values, "a %-format's arguments")


def _check_format_spec(spec: str) -> None:
    limit = _max_chars()
    for number in _NUMBER.findall(spec):
        if len(number) > 9 or int(number) > limit:
            raise too_long("a format width", int(number[:30]), limit)


# --- operators -----------------------------------------------------------------
def _binop(op: str, left: Any, right: Any) -> Any:
    limit = _max_chars()
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
            _check_printf(left, right)
            return _check_size(left % right, "a %-format's result")
        return left % right
    if op == "+":
        if not isinstance(left, int | float) and not isinstance(right, int | float):
            size = text_size(left, limit) + text_size(right, limit)
            if size > limit:
                raise too_long("a sum", size, limit)
        return left + right
    raise AssertionError(op)  # pragma: no cover - only intercepted ops come here


# --- loops -----------------------------------------------------------------------
def _guarded(iterable: Any) -> Iterator[Any]:
    budget = current_budget()
    if budget is None:
        yield from iterable
        return
    step = budget.loop_step
    for value in iterable:
        step()
        yield value


def _iteration_guard(iterable: Any) -> Any:
    if current_budget() is None:
        return iterable
    # LoopContext needs a length for loop.length/revindex; keep it cheap.
    if isinstance(iterable, list | tuple | range | str | dict):
        return _Sized(iterable)
    return _guarded(iterable)


@pass_context  # which also keeps Jinja2 from running it at compile time
def _loop_guard(context: Any, iterable: Any) -> Any:
    """Wraps each ``for`` loop's iterable (see ``_generate``)."""
    return _iteration_guard(iterable)


class _Sized:
    __slots__ = ("items",)

    def __init__(self, items: Any):
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Any]:
        return _guarded(self.items)


# --- filters and globals -------------------------------------------------------------
# Filters whose integer arguments are widths or counts of what they make.
_WIDTH_FILTERS = frozenset(
    ["batch", "center", "indent", "slice", "tojson", "truncate", "urlize", "wordwrap"]
)
# Filters that do not turn their value into text: no size check on the value.
_NOT_TEXT = frozenset(
    [
        "abs",
        "attr",
        "batch",
        "bool",
        "count",
        "d",
        "default",
        "dictsort",
        "first",
        "float",
        "groupby",
        "int",
        "items",
        "last",
        "length",
        "list",
        "map",
        "max",
        "min",
        "random",
        "reject",
        "rejectattr",
        "reverse",
        "round",
        "select",
        "selectattr",
        "slice",
        "sort",
        "sum",
        "unique",
    ]
)


def _guard_filter(name: str, func: Callable) -> Callable:
    skip = 1 if _PassArg.from_obj(func) is not None else 0
    what = f"the {name} filter's"
    widths, text = name in _WIDTH_FILTERS, name not in _NOT_TEXT
    special = name in ("join", "replace", "format")

    @wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        # Called for every filter of every render: the common case (a string
        # in, a string out) costs a clock read and two length checks.
        budget = getattr(_state, "budget", None)
        if budget is not None:
            budget.check_clock()
        if widths:
            _check_int_args((*args[skip + 1 :], *kwargs.values()), what)
        if len(args) > skip and _is_iterator(args[skip]):
            # A lazy value (map, select...): bound what this filter reads.
            args = (*args[:skip], _bounded_stream(args[skip]), *args[skip + 1 :])
        if text:
            value = args[skip] if len(args) > skip else None
            if type(value) is not str:
                _check_size(value, f"the value given to {name}")
            if special:
                _check_filter_args(name, value, args[skip + 1 :], kwargs)
        result = func(*args, **kwargs)
        if type(result) is str:
            limit = budget.max_chars if budget is not None else _max_chars()
            if len(result) > limit:
                raise too_long(f"{what} result", len(result), limit)
        elif isinstance(result, list | tuple):
            _check_size(result, f"{what} result")
        return result

    return guarded


def _is_iterator(value: Any) -> bool:
    return (
        type(value) is not str
        and not hasattr(value, "__len__")
        and hasattr(value, "__next__")
    )


def _bounded_stream(values: Iterator[Any]) -> Iterator[Any]:
    limit, total = _max_chars(), 0
    for value in values:
        total += text_size(value, limit)
        if total > limit:
            raise too_long("a filter's input", total, limit)
        yield value


def _check_filter_args(name: str, value: Any, rest: tuple, kwargs: dict) -> None:
    if name == "join":
        sep = rest[0] if rest else kwargs.get("d", "")
        count = len(value) if hasattr(value, "__len__") else 0
        limit = _max_chars()
        size = text_size(value, limit) + len(str(sep)) * count
        if size > limit:
            raise too_long("a join", size, limit)
    elif name == "replace" and isinstance(value, str) and len(rest) >= 2:
        _check_replace(value, str(rest[0]), str(rest[1]))
    elif name == "format" and isinstance(value, str):
        _check_printf(value, kwargs or rest)


def _check_replace(text: str, old: str, new: str) -> None:
    limit = _max_chars()
    count = len(text) + 1 if not old else text.count(old)
    size = len(text) + count * (len(new) - len(old))
    if size > limit:
        raise too_long("a replace", size, limit)


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    # Up to ``max`` words of up to ~12 characters per paragraph.
    limit, words = _max_chars(), min if min > max else max
    if n * words * 12 > limit:
        raise too_long("lipsum", n * words * 12, limit)
    return generate_lorem_ipsum(n, html, min, max)


# String methods whose integer argument is the length of the result.
_PADDING = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


# --- the environment ---------------------------------------------------------------
class _CodeGenerator(CodeGenerator):
    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        # Same as Jinja2's, with the parts checked before they are joined.
        if frame.eval_ctx.volatile:
            func_name = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            func_name = "markup_join"
        else:
            func_name = "str_join"
        self.write(f"{func_name}(environment.checked_parts((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write(")))")


class _Formatter(SandboxedFormatter):
    def format_field(self, value: Any, format_spec: str) -> Any:
        _check_format_spec(format_spec)
        if not isinstance(value, str):
            _check_size(value, "a formatted value")
        return super().format_field(value, format_spec)


class _EscapeFormatter(SandboxedEscapeFormatter):
    format_field = _Formatter.format_field


class BoundedEnvironment(SandboxedEnvironment):
    code_generator_class = _CodeGenerator
    # Intercepted operators are also not folded at compile time (nodes.py).
    intercepted_binops = frozenset({"**", "*", "%", "+"})

    def __init__(self, **options: Any):
        super().__init__(finalize=_finalize, **options)
        self.filters = {
            name: _guard_filter(name, func) for name, func in self.filters.items()
        }
        self.filters[LOOP_GUARD] = _loop_guard
        self.globals["lipsum"] = _lipsum

    @staticmethod
    def concat(parts: Iterable[str]) -> str:
        # Block buffers: macros, {% set %} and {% filter %} blocks.
        parts = parts if isinstance(parts, list) else list(parts)
        limit = _max_chars()
        if sum(map(len, parts)) > limit:
            raise too_long("a block", sum(map(len, parts)), limit)
        return "".join(parts)

    @staticmethod
    def checked_parts(parts: tuple) -> tuple:
        limit = _max_chars()
        size = 0
        for part in parts:
            size += len(part) if type(part) is str else text_size(part, limit)
        if size > limit:
            raise too_long("a ~ concatenation", size, limit)
        return parts

    def _generate(
        self,
        source: nodes.Template,
        name: str | None,
        filename: str | None,
        defer_init: bool = False,
    ) -> str:
        # Every for loop iterates through the guard, which counts its steps.
        for loop in source.find_all(nodes.For):
            guard = nodes.Filter(
                loop.iter, LOOP_GUARD, [], [], None, None, lineno=loop.lineno
            )
            loop.iter = guard.set_environment(self)
        return super()._generate(source, name, filename, defer_init)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        return _binop(operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _tick()
        if isinstance(__obj, LoopContext) and args:
            # loop(children) in a recursive loop starts another for loop.
            args = (_iteration_guard(args[0]), *args[1:])
        elif isinstance(__obj, types.BuiltinMethodType):
            owner = getattr(__obj, "__self__", None)
            if isinstance(owner, str):
                _check_str_method(owner, __obj.__name__, args)
            elif isinstance(owner, list | dict | set):
                _count_stored(args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        if isinstance(result, str | list | tuple | dict):
            _check_size(result, "a call's result")
        return result

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        f_self = value.__self__
        formatter = (
            _EscapeFormatter(self, escape=f_self.escape)
            if isinstance(f_self, Markup)
            else _Formatter(self)
        )
        is_format_map = value.__name__ == "format_map"

        def checked(*args: Any, **kwargs: Any) -> str:
            if is_format_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                kwargs, args = args[0], ()
            return type(f_self)(formatter.vformat(f_self, args, kwargs))

        return checked


def _count_stored(args: tuple, kwargs: dict) -> None:
    # What list.append/extend, dict.update... put in containers adds up over
    # a render: many distinct big strings kept in a list are memory the
    # output limit alone would not see.
    budget = current_budget()
    if budget is None:
        return
    limit = budget.max_chars
    budget.stored += text_size(args, limit) + text_size(kwargs, limit)
    if budget.stored > limit:
        raise too_long("what the template stored in lists", budget.stored, limit)


def _check_str_method(text: str, name: str, args: tuple) -> None:
    if name in _PADDING:
        _check_int_args(args, f"str.{name}")
    elif name == "join" and args:
        items = args[0]
        count = len(items) if hasattr(items, "__len__") else 0
        limit = _max_chars()
        size = text_size(items, limit) + len(text) * count
        if size > limit:
            raise too_long("a join", size, limit)
    elif name == "replace" and len(args) >= 2:
        _check_replace(text, str(args[0]), str(args[1]))


def _finalize(value: Any) -> Any:
    # What a {{ }} prints: a container's text is made in one go, so size it
    # first (strings are already bounded where they were made).
    if type(value) is not str and isinstance(value, (*_SEQUENCES, dict, Namespace)):
        _check_size(value, "a printed value")
    return value


def render_bounded(template: Template, context: dict, deadline: float | None) -> str:
    """Render ``template`` within the limits; ``deadline`` (monotonic) may
    shorten the render's own time limit (several renders sharing one)."""
    limit = setting("TEMPLATE_MAX_OUTPUT_CHARS", DEFAULT_MAX_OUTPUT_CHARS)
    previous = getattr(_state, "budget", None)
    _state.budget = Budget(limit, deadline)
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
        _state.budget = previous


__all__ = [
    "BoundedEnvironment",
    "TemplateLimitError",
    "render_bounded",
    "text_size",
]
