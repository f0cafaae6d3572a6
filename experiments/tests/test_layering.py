"""The layers: ``adapters`` and ``scoring`` sit below the domain app and never
import it, so each reads (and can be reused) on its own. Their tests may use
the domain app (they check scoring with the engine's real renderer)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def package_sources(package: str) -> list[Path]:
    files = sorted((ROOT / package).rglob("*.py"))
    return [f for f in files if "tests" not in f.relative_to(ROOT).parts]


@pytest.mark.parametrize("package", ["adapters", "scoring"])
def test_lower_layers_never_import_the_domain_app(package):
    sources = package_sources(package)
    assert sources, f"no sources found under {package}/"
    offending = {
        str(path.relative_to(ROOT)): sorted(
            name
            for name in imported_modules(path)
            if name == "experiments" or name.startswith("experiments.")
        )
        for path in sources
    }
    assert {path: names for path, names in offending.items() if names} == {}


def test_the_scan_sees_imports_inside_functions(tmp_path):
    source = tmp_path / "module.py"
    source.write_text("def f():\n    from experiments.spec import templates\n")
    assert "experiments.spec" in imported_modules(source)
