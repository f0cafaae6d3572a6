"""Mutants of one module: small deliberate bugs a reviewer would try.

Each mutant is one change to the AST (a flipped comparison, a swapped
operator, a changed constant, ``return None``, a dropped ``not`` or statement),
found by a walk that skips docstrings and annotations (inert under
``from __future__ import annotations``). Strings other than those compared
against are left alone: changing an error message is not a behaviour change
the tests are meant to pin.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass

COMPARE_SWAPS: dict[type, type] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
BINOP_SWAPS: dict[type, type] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.FloorDiv,
    ast.Pow: ast.Mult,
    ast.BitOr: ast.BitAnd,
    ast.BitAnd: ast.BitOr,
}
SYMBOLS: dict[type, str] = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.And: "and",
    ast.Or: "or",
}


@dataclass(frozen=True)
class Mutant:
    index: int  # the order of the walk, stable for one version of the file
    line: int
    description: str
    source_line: str  # the original line, stripped: matches equivalents
    apply: Callable[[ast.AST], None]  # mutates the node found at ``path``
    path: tuple  # where the node is: field names and list indices from the root


def _children(node: ast.AST) -> Iterator[tuple[tuple, ast.AST]]:
    for name, value in ast.iter_fields(node):
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, ast.AST):
                    yield (name, i), item
        elif isinstance(value, ast.AST):
            yield (name,), value


def _skipped_field(node: ast.AST, name: str) -> bool:
    if name in ("annotation", "returns", "type_comment"):
        return True
    return isinstance(node, ast.AnnAssign) and name == "target"


def _is_docstring(parent: ast.AST, node: ast.AST) -> bool:
    body = getattr(parent, "body", None)
    return (
        isinstance(
            parent, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
        )
        and isinstance(body, list)
        and body
        and body[0] is node
        and isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _set_op(op_type: type) -> Callable[[ast.AST], None]:
    def apply(node: ast.AST) -> None:
        node.op = op_type()

    return apply


def _set_compare_op(i: int, op_type: type) -> Callable[[ast.AST], None]:
    def apply(node: ast.AST) -> None:
        node.ops[i] = op_type()

    return apply


def _set_value(value: object) -> Callable[[ast.AST], None]:
    def apply(node: ast.AST) -> None:
        node.value = value

    return apply


def _number_mutations(value: object) -> list[tuple[object, str]]:
    if isinstance(value, bool):
        return [(not value, f"{value} -> {not value}")]
    if isinstance(value, int | float):
        changes: list[object] = []
        if value == 0:
            changes.append(type(value)(1))
        elif value == 1:
            changes.extend([type(value)(0), type(value)(2)])
        else:
            changes.extend([type(value)(0), value + 1])
        return [(c, f"{value!r} -> {c!r}") for c in changes]
    return []


def _mutations_of(node: ast.AST, parent: ast.AST) -> Iterator[tuple[str, Callable]]:
    """(description, apply) for each mutant of ``node`` itself."""
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            new = COMPARE_SWAPS.get(type(op))
            if new:
                yield (
                    f"{SYMBOLS[type(op)]} -> {SYMBOLS[new]}",
                    _set_compare_op(i, new),
                )
    elif isinstance(node, ast.BinOp | ast.AugAssign):
        new = BINOP_SWAPS.get(type(node.op))
        if new:
            yield f"{SYMBOLS[type(node.op)]} -> {SYMBOLS[new]}", _set_op(new)
    elif isinstance(node, ast.BoolOp):
        new = ast.Or if isinstance(node.op, ast.And) else ast.And
        yield f"{SYMBOLS[type(node.op)]} -> {SYMBOLS[new]}", _set_op(new)
    elif isinstance(node, ast.Constant):
        for value, text in _number_mutations(node.value):
            yield text, _set_value(value)
        if isinstance(node.value, str) and isinstance(parent, ast.Compare):
            yield f"{node.value!r} -> 'XX'", _set_value("XX" + node.value + "XX")
    elif isinstance(node, ast.Return) and node.value is not None:
        returns_none = isinstance(node.value, ast.Constant) and node.value.value is None
        if not returns_none:
            yield "return ... -> return None", _set_value(None)


def _unary_not(node: ast.AST) -> bool:
    return isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)


def _list_mutations(
    parent: ast.AST, name: str, items: list
) -> Iterator[tuple[int, str, Callable]]:
    """Statement-level mutants: drop one (``pass`` instead), negate an ``if``."""
    for i, stmt in enumerate(items):
        if not isinstance(stmt, ast.stmt) or _is_docstring(parent, stmt):
            continue
        droppable = isinstance(stmt, ast.Expr | ast.AugAssign | ast.Raise) or (
            isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Attribute)
        )
        if droppable and len(items) > 0:

            def drop(owner: ast.AST, name: str = name, i: int = i) -> None:
                getattr(owner, name)[i] = ast.Pass()

            yield i, f"drop `{ast.unparse(stmt).splitlines()[0][:60]}`", drop


def find_mutants(source: str) -> list[Mutant]:
    tree = ast.parse(source)
    lines = source.splitlines()
    mutants: list[Mutant] = []

    def add(node: ast.AST, path: tuple, text: str, apply: Callable) -> None:
        line = getattr(node, "lineno", 0)
        code = lines[line - 1].strip() if line else ""
        if "pragma: no mutate" in code:
            return
        mutants.append(Mutant(len(mutants), line, text, code, apply, path))

    def walk(node: ast.AST, parent: ast.AST | None, path: tuple) -> None:
        if parent is not None and _is_docstring(parent, node):
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            return
        for text, apply in _mutations_of(node, parent):
            add(node, path, text, apply)
        # `not x` -> `x`: replaces the node in its parent.
        for name, value in ast.iter_fields(node):
            if _skipped_field(node, name):
                continue
            if isinstance(value, list):
                for i, stmt_text, drop in _list_mutations(node, name, value):
                    add(value[i], path, stmt_text, drop)
                for i, item in enumerate(value):
                    if _unary_not(item):
                        add(item, path, "drop `not`", _unnot_list(name, i))
            elif _unary_not(value):
                add(value, path, "drop `not`", _unnot_field(name))
            # Comparisons, and/or and `not` have mutants of their own.
            plain_test = (
                isinstance(node, ast.If | ast.While | ast.IfExp)
                and name == "test"
                and not isinstance(value, ast.Compare | ast.BoolOp)
                and not _unary_not(value)
            )
            if plain_test:
                add(value, path, "negate condition", _negate_test)
        for sub_path, child in _children(node):
            if _skipped_field(node, sub_path[0]):
                continue
            walk(child, node, (*path, sub_path))

    walk(tree, None, ())
    return mutants


def _unnot_list(name: str, i: int) -> Callable[[ast.AST], None]:
    def apply(owner: ast.AST) -> None:
        getattr(owner, name)[i] = getattr(owner, name)[i].operand

    return apply


def _unnot_field(name: str) -> Callable[[ast.AST], None]:
    def apply(owner: ast.AST) -> None:
        setattr(owner, name, getattr(owner, name).operand)

    return apply


def _negate_test(owner: ast.AST) -> None:
    owner.test = ast.UnaryOp(op=ast.Not(), operand=owner.test)


def _resolve(tree: ast.AST, path: tuple) -> ast.AST:
    node = tree
    for step in path:
        value = getattr(node, step[0])
        node = value[step[1]] if len(step) > 1 else value
    return node


def mutated_source(source: str, mutant: Mutant) -> str:
    """The module's source with ``mutant`` applied (via ``ast.unparse``)."""
    tree = ast.parse(source)
    mutant.apply(_resolve(tree, mutant.path))
    ast.fix_missing_locations(tree)
    return ast.unparse(tree)


def sanity_check(source: str) -> str:
    """The unmutated module as unparsed: the baseline run uses it, so that
    a formatting-only difference can never look like a killed mutant."""
    return ast.unparse(copy.deepcopy(ast.parse(source)))
