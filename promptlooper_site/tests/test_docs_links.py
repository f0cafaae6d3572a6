"""The documentation stands on its own: every relative link in the README and
docs/ resolves to a file in the repository (and to a heading, for #anchors),
nothing points outside it, and the repository paths the docs name exist."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Directories that are not the project's own documentation.
_SKIPPED_DIRS = {"node_modules", "data", "staticfiles", "__pycache__", "dist"}

_FENCE = re.compile(r"^\s*(```|~~~)")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
_INLINE_LINK = re.compile(
    r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)"
)
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # http:, mailto:


@dataclass(frozen=True)
class Link:
    source: Path
    line: int
    target: str

    def __str__(self) -> str:
        return f"{self.source.relative_to(REPO)}:{self.line}: ({self.target})"


def doc_files() -> list[Path]:
    """Every Markdown file of the project (README.md, docs/, package READMEs)."""
    found = []
    for path in sorted(REPO.rglob("*.md")):
        parts = path.relative_to(REPO).parts[:-1]
        if any(p.startswith(".") or p in _SKIPPED_DIRS for p in parts):
            continue
        found.append(path)
    return found


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) outside fenced code blocks."""
    lines, fenced = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append((number, line))
    return lines


def links(path: Path) -> list[Link]:
    found = []
    for number, line in prose_lines(path.read_text()):
        text = _INLINE_CODE.sub("", line)
        targets = _INLINE_LINK.findall(text) + _REFERENCE.findall(text)
        found += [Link(path, number, target) for target in targets]
    return found


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: the rendered text, lower-cased, without
    punctuation other than - and _, spaces as hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # links: their text
    text = text.replace("`", "").lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    result = set()
    for _, line in prose_lines(path.read_text()):
        match = _HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def link_problem(link: Link) -> str | None:
    """Why ``link`` does not resolve inside the repository, or None."""
    target = link.target
    if _EXTERNAL.match(target):
        return None
    path_part, _, anchor = target.partition("#")
    if path_part:
        resolved = (link.source.parent / path_part).resolve()
        if not resolved.is_relative_to(REPO):
            return "points outside the repository"
        if not resolved.exists():
            return "no such file"
    else:
        resolved = link.source
    if anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
        return f'no heading "#{anchor}" in {resolved.relative_to(REPO)}'
    return None


def test_the_readme_and_docs_are_found():
    names = {str(p.relative_to(REPO)) for p in doc_files()}
    assert {"README.md", "docs/spec.md", "docs/architecture.md"} <= names


def test_every_relative_link_in_the_docs_resolves_inside_the_repository():
    broken = [
        f"{link}: {problem}"
        for path in doc_files()
        for link in links(path)
        if (problem := link_problem(link))
    ]
    assert broken == [], "broken links:\n" + "\n".join(broken)


def test_the_docs_never_send_readers_outside_the_repository():
    # Also in code spans and prose, where no link checker looks.
    mentions = [
        f"{path.relative_to(REPO)}:{number}"
        for path in doc_files()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "../shared" in line or "shared/design" in line
    ]
    assert mentions == []


def _top_level_dirs() -> set[str]:
    return {
        p.name
        for p in REPO.iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.name not in _SKIPPED_DIRS
    }


def test_repository_paths_named_in_the_docs_exist():
    """`experiments/spec/params.py` in a doc must still be there: code moves,
    and a doc naming the old place is as broken as a dead link."""
    roots = _top_level_dirs()
    pattern = re.compile(rf"^(?:{'|'.join(map(re.escape, sorted(roots)))})/[\w./-]*$")
    missing = []
    for path in doc_files():
        for number, line in prose_lines(path.read_text()):
            for _, span in _INLINE_CODE.findall(line):
                span = span.strip()
                if not pattern.match(span):
                    continue
                candidates = (REPO / span, path.parent / span)
                if not any(c.exists() for c in candidates):
                    missing.append(f"{path.relative_to(REPO)}:{number}: `{span}`")
    assert missing == [], "paths that do not exist:\n" + "\n".join(missing)


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("The cache key", "the-cache-key"),
        ("`scorers[]`", "scorers"),
        ("Storing and re-running", "storing-and-re-running"),
        (
            "What an operator must set in production",
            "what-an-operator-must-set-in-production",
        ),
        ("llm_judge", "llm_judge"),
    ],
)
def test_anchors_are_derived_as_github_does(heading, expected):
    assert slug(heading) == expected


def test_a_broken_link_is_reported(tmp_path):
    # The checker itself: a missing file, a missing heading, a path outside.
    doc = REPO / "docs" / "spec.md"
    for target, problem in [
        ("nothing-here.md", "no such file"),
        ("architecture.md#no-such-heading", "no heading"),
        ("../../shared/design/experiment-spec.md", "outside the repository"),
    ]:
        found = link_problem(Link(doc, 1, target))
        assert found is not None and problem in found, (target, found)
    assert link_problem(Link(doc, 1, "architecture.md#two-modes")) is None
    assert link_problem(Link(doc, 1, "https://example.com/x")) is None
