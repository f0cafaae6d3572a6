"""docs/configuration.md lists every environment variable PromptLooper reads:
a setting added without its line in the docs fails here."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONFIGURATION = REPO / "docs" / "configuration.md"
SETTINGS_SOURCES = [
    REPO / "promptlooper_site" / "settings.py",
    REPO / "promptlooper_site" / "env.py",
]
# Readers that also take NAME_FILE (Docker secrets).
_SECRET_READERS = {"env_secret", "_required_in_production"}
_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_ENVIRON_GET = re.compile(
    r"""os\.(?:environ\.get|getenv)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
)
_SHELL_VARIABLE = re.compile(r"\$\{([A-Z][A-Z0-9_]*)")
# Read by Django's own machinery, not a setting of ours.
_NOT_SETTINGS = {"DJANGO_SETTINGS_MODULE"}


def documented_names() -> set[str]:
    text = CONFIGURATION.read_text()
    return {span for span in re.findall(r"`([^`]+)`", text) if _NAME.match(span)}


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def names_in_settings_source() -> set[str]:
    """NAME of every ``env_*("NAME", ...)`` call (and the settings' own
    wrappers) in settings.py and env.py, with ``NAME_FILE`` for secrets."""
    names = set()
    for source in SETTINGS_SOURCES:
        for node in ast.walk(ast.parse(source.read_text())):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            callee, first = _callee(node), node.args[0]
            if not (callee.startswith("env_") or callee in _SECRET_READERS):
                continue
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            if _NAME.match(first.value):
                names.add(first.value)
                if callee in _SECRET_READERS:
                    names.add(f"{first.value}_FILE")
    return names


def names_read_elsewhere() -> set[str]:
    """``os.environ.get("NAME")`` in the project's code (``bootstrap`` reads
    the admin password so), tests and the benchmark aside, and
    ``${NAME...}`` in the container's shell scripts."""
    names = set()
    for script in (REPO / "deploy").glob("*.sh"):
        names |= set(_SHELL_VARIABLE.findall(script.read_text()))
    for path in REPO.rglob("*.py"):
        parts = path.relative_to(REPO).parts
        if any(p.startswith(".") or p in ("tests", "bench") for p in parts):
            continue
        if parts[-1] == "conftest.py":
            continue
        names |= set(_ENVIRON_GET.findall(path.read_text()))
    return names - _NOT_SETTINGS


def names_read_at_start_up() -> set[str]:
    """What loading the settings actually reads through env.py's helpers
    (they record every name), whatever wrapper the settings call them by."""
    script = (
        "from django.conf import settings; settings.INSTALLED_APPS; "
        "from promptlooper_site import env; print(' '.join(sorted(env._read_names)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "promptlooper_site.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return set(done.stdout.split())


def test_the_settings_source_reads_the_variables_we_know_of():
    # The scan itself works: a few names every version has.
    found = names_in_settings_source()
    assert {"DATABASE_URL", "PROMPTLOOPER_CACHE_SCOPE", "SECRET_KEY_FILE"} <= found


def test_every_variable_the_settings_read_is_documented():
    missing = sorted(names_in_settings_source() - documented_names())
    assert missing == [], f"add these to docs/configuration.md: {missing}"


def test_every_variable_read_outside_the_settings_is_documented():
    missing = sorted(names_read_elsewhere() - documented_names())
    assert missing == [], f"add these to docs/configuration.md: {missing}"


def test_every_variable_read_at_start_up_is_documented():
    read = names_read_at_start_up()
    assert "PROMPTLOOPER_DATA_DIR" in read
    missing = sorted(read - documented_names())
    assert missing == [], f"add these to docs/configuration.md: {missing}"


def test_the_configuration_page_lists_no_variable_that_is_not_read():
    # A renamed or removed setting must leave the page too.
    read = names_in_settings_source() | names_read_elsewhere()
    read |= names_read_at_start_up()
    listed = {n for n in documented_names() if n.startswith("PROMPTLOOPER_")}
    examples = {"PROMPTLOOPER_KEY_OPENAI"}  # an endpoint key, not a setting
    assert sorted(listed - read - examples) == []
