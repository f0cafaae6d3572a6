from __future__ import annotations

from typing import Any

import yaml

from experiments.spec.errors import SpecError, SpecInvalid

# What aliases may add to a document, in nodes (scalars, lists, mappings).
# Reuse of an anchored block a few times is far below this; a "billion
# laughs" document (nested aliases, each level multiplying the one below)
# goes past it within a few levels, long before anything walks the result.
MAX_ALIAS_EXPANSION = 100_000


class _AliasBomb(Exception):
    pass


class _BoundedLoader(yaml.SafeLoader):
    """``SafeLoader`` that refuses documents whose aliases expand too far.

    PyYAML builds an alias as a shared reference, so loading is cheap; the
    cost comes later, when the validator and the database walk (or serialise)
    the expanded tree. The node graph is checked before anything is built."""

    def compose_document(self) -> yaml.Node:
        node = super().compose_document()
        _expanded_size(node, {}, set())
        return node


def _expanded_size(node: yaml.Node, sizes: dict[int, int], open_: set[int]) -> int:
    """Node count with every alias written out, memoised per node (linear in
    the document); raises ``_AliasBomb`` past the limit or on a cycle."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_:
        raise _AliasBomb("an alias refers to a node that contains it")
    open_.add(key)
    if isinstance(node, yaml.SequenceNode):
        children = node.value
    elif isinstance(node, yaml.MappingNode):
        children = [part for pair in node.value for part in pair]
    else:
        children = []
    size = 1 + sum(_expanded_size(child, sizes, open_) for child in children)
    open_.discard(key)
    sizes[key] = size
    written = len(sizes)  # distinct nodes, i.e. as the text spells them out
    if size - written > MAX_ALIAS_EXPANSION:
        raise _AliasBomb(
            f"aliases expand the document by more than {MAX_ALIAS_EXPANSION:,} values"
        )
    return size


def parse_spec_text(text: str) -> Any:
    """Parse a YAML (or JSON, a subset of YAML) document; raise ``SpecInvalid``."""
    try:
        return yaml.load(text, Loader=_BoundedLoader)  # a SafeLoader: no tags
    except _AliasBomb as exc:
        raise SpecInvalid(
            [SpecError("", f"not accepted YAML: {exc}; write the values out")]
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SpecInvalid(
            [SpecError("", f"not valid YAML{where}: {exc.problem}")]
        ) from None
    except yaml.YAMLError as exc:
        raise SpecInvalid([SpecError("", f"not valid YAML: {exc}")]) from None
