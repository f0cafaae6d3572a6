"""The simulator stands alone: it imports nothing else from the project, so
it can serve any client (and the engine's tests cannot lean on its insides)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
PROJECT_PACKAGES = {"promptlooper_site", "experiments", "scoring", "adapters"}


def imported_top_levels(path: Path) -> set[str]:
    """The top-level package of every absolute import in a file, at the top or
    inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_the_simulator_imports_nothing_else_from_the_project():
    sources = [
        p
        for p in sorted(PACKAGE.rglob("*.py"))
        if "tests" not in p.relative_to(PACKAGE).parts
    ]
    assert len(sources) > 5, "the scan found no simulator sources"
    offending = {
        str(path.relative_to(PACKAGE)): sorted(
            imported_top_levels(path) & PROJECT_PACKAGES
        )
        for path in sources
    }
    assert {path: names for path, names in offending.items() if names} == {}
