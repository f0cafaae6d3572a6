"""The sandboxed environment that wires the guards into compiled templates."""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.runtime import LoopContext
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import Namespace
from markupsafe import Markup

from experiments.spec.sandbox.budget import max_chars, tick, too_long
from experiments.spec.sandbox.calls import (
    EscapeFormatter,
    Formatter,
    check_str_method,
    count_stored,
)
from experiments.spec.sandbox.filters import guard_filter, lipsum
from experiments.spec.sandbox.loops import LOOP_GUARD, iteration_guard, loop_guard
from experiments.spec.sandbox.operators import binop
from experiments.spec.sandbox.sizes import SEQUENCES, check_size, text_size


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


class BoundedEnvironment(SandboxedEnvironment):
    code_generator_class = _CodeGenerator
    # Intercepted operators are also not folded at compile time (nodes.py).
    intercepted_binops = frozenset({"**", "*", "%", "+"})

    def __init__(self, **options: Any):
        super().__init__(finalize=_finalize, **options)
        self.filters = {
            name: guard_filter(name, func) for name, func in self.filters.items()
        }
        self.filters[LOOP_GUARD] = loop_guard
        self.globals["lipsum"] = lipsum

    @staticmethod
    def concat(parts: Iterable[str]) -> str:
        # Block buffers: macros, {% set %} and {% filter %} blocks.
        parts = parts if isinstance(parts, list) else list(parts)
        limit = max_chars()
        if sum(map(len, parts)) > limit:
            raise too_long("a block", sum(map(len, parts)), limit)
        return "".join(parts)

    @staticmethod
    def checked_parts(parts: tuple) -> tuple:
        limit = max_chars()
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
        return binop(operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        tick()
        if isinstance(__obj, LoopContext) and args:
            # loop(children) in a recursive loop starts another for loop.
            args = (iteration_guard(args[0]), *args[1:])
        elif isinstance(__obj, types.BuiltinMethodType):
            owner = getattr(__obj, "__self__", None)
            if isinstance(owner, str):
                check_str_method(owner, __obj.__name__, args)
            elif isinstance(owner, list | dict | set):
                count_stored(args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        if isinstance(result, str | list | tuple | dict):
            check_size(result, "a call's result")
        return result

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        f_self = value.__self__
        formatter = (
            EscapeFormatter(self, escape=f_self.escape)
            if isinstance(f_self, Markup)
            else Formatter(self)
        )
        is_format_map = value.__name__ == "format_map"

        def checked(*args: Any, **kwargs: Any) -> str:
            if is_format_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                kwargs, args = args[0], ()
            return type(f_self)(formatter.vformat(f_self, args, kwargs))

        return checked


def _finalize(value: Any) -> Any:
    # What a {{ }} prints: a container's text is made in one go, so size it
    # first (strings are already bounded where they were made).
    if type(value) is not str and isinstance(value, (*SEQUENCES, dict, Namespace)):
        check_size(value, "a printed value")
    return value
