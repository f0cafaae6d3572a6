"""Read and write dataset files (JSONL, CSV) as lists of ``ItemData``.

Imports are all-or-nothing: every problem is collected and raised together as
one ``DatasetFileError``, so users fix a file in one pass and no dataset is
ever half-imported.

CSV is untyped, so some values do not survive ``export_csv`` -> parse:
input cells are always strings (a key missing from an item comes back as "");
``expected``/``expected.<key>`` cells are JSON-parsed when they parse (typed
``Paris`` stays a string, ``42`` becomes a number; the exporter quotes exactly
the strings that would be misread, so dict values round-trip); an empty
``expected.<key>`` cell omits the key and a row with all of them empty has
expected None (so ``{}`` comes back as None); tags are comma-separated; rows
whose cells are all blank are skipped.

CSV exports quote cells a spreadsheet would run as formulas with a leading
``'`` (csv_safety.py) and the CSV reader removes it again, so an export
re-imports unchanged; in a hand-written CSV, a cell such as ``'=1+1`` is read
as ``=1+1``, as a spreadsheet shows it.

Text holding a NUL character (``\\x00``) is refused in either format:
PostgreSQL cannot store it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from experiments import safe_json
from experiments.csv_safety import escape_cell, unescape_cell

FORMATS = ("jsonl", "csv")
_EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
_MAX_SHOWN_ERRORS = 20
_BOM = b"\xef\xbb\xbf"
_NUL_MESSAGE = "contains a NUL character (\\x00), which cannot be stored"


@dataclass(frozen=True)
class ItemData:
    """One dataset item: template variables, optional expected output, tags."""

    input: dict
    expected: Any = None
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RowError:
    line: int  # 1-based; 0 means the whole file
    message: str

    def __str__(self) -> str:
        # Line 0 is the file as a whole (not UTF-8, empty, unreadable).
        return self.message if self.line == 0 else f"line {self.line}: {self.message}"


class DatasetFileError(ValueError):
    """A dataset file was rejected; ``errors`` lists every problem found."""

    def __init__(self, errors: list[RowError], filename: str = "") -> None:
        self.errors = list(errors)
        self.filename = filename
        super().__init__(self._render())

    def __reduce__(self) -> tuple:
        # The default would rebuild from the rendered message, losing errors.
        return (type(self), (self.errors, self.filename))

    def _render(self) -> str:
        n = len(self.errors)
        # Line 0 errors are about the whole file, where "bad rows" would mislead.
        what = (
            f"{n} bad row{'s' * (n != 1)}"
            if any(e.line for e in self.errors)
            else "file rejected"
        )
        name = f"{self.filename}: " if self.filename else ""
        lines = [f"{name}{what}; nothing was imported"]
        lines += [str(e) for e in self.errors[:_MAX_SHOWN_ERRORS]]
        if n > _MAX_SHOWN_ERRORS:
            lines.append(f"... and {n - _MAX_SHOWN_ERRORS} more")
        return "\n".join(lines)


def detect_format(filename: str) -> str:
    """Return the format for ``filename`` from its extension (case-insensitive)."""
    suffix = Path(filename).suffix.lower()
    if suffix not in _EXTENSIONS:
        shown = suffix or Path(filename).name
        msg = f'unsupported file type "{shown}"; use .jsonl or .csv'
        raise DatasetFileError([RowError(0, msg)], filename)
    return _EXTENSIONS[suffix]


def parse_dataset(content: bytes | str, fmt: str, filename: str = "") -> list[ItemData]:
    """Parse a whole file; return at least one item or raise DatasetFileError.

    Bytes must be UTF-8 (a leading BOM is dropped); the reported byte is the
    0-based offset of the first bad byte in the file as given.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown dataset format {fmt!r}; expected one of {FORMATS}")
    if isinstance(content, bytes):
        skip = len(_BOM) if content.startswith(_BOM) else 0
        try:
            text = content[skip:].decode("utf-8")
        except UnicodeDecodeError as exc:
            msg = f"file is not UTF-8 text (byte {exc.start + skip})"
            raise DatasetFileError([RowError(0, msg)], filename) from None
    else:
        text = content.removeprefix("\ufeff")
    items, errors = _parse_jsonl(text) if fmt == "jsonl" else _parse_csv(text)
    if not errors and not items:
        errors = [RowError(0, "file has no items")]
    if errors:
        raise DatasetFileError(errors, filename)
    return items


def load_dataset_file(path: str | Path) -> list[ItemData]:
    """Read and parse ``path``, choosing the format from its extension."""
    path = Path(path)
    fmt = detect_format(path.name)
    try:
        content = path.read_bytes()
    except OSError as exc:
        msg = f"cannot read file: {exc.strerror or type(exc).__name__}"
        raise DatasetFileError([RowError(0, msg)], str(path)) from None
    return parse_dataset(content, fmt, str(path))


def _loads(text: str) -> Any:
    # No NaN/Infinity (databases refuse them), no nesting deep enough to
    # exhaust the stack when the item is stored or rendered.
    return safe_json.loads(text)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _json_or_text(text: str) -> Any:
    try:
        return _loads(text)
    except ValueError:
        return text


def _is_special(column: str) -> bool:
    return column in ("expected", "tags") or column.startswith("expected.")


def _parse_jsonl(text: str) -> tuple[list[ItemData], list[RowError]]:
    items: list[ItemData] = []
    errors: list[RowError] = []
    # Split on "\n" only: str.splitlines() would also break on U+2028 and
    # friends, which JSON allows raw inside strings.
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        problems = []
        try:
            obj = _loads(line)
        except json.JSONDecodeError as exc:
            obj, problems = None, [f"invalid JSON: {exc.msg} (column {exc.colno})"]
        except ValueError as exc:
            obj, problems = None, [f"invalid JSON: {exc}"]
        if obj is not None and not isinstance(obj, dict):
            problems.append(f"expected a JSON object, got {type(obj).__name__}")
        if isinstance(obj, dict) and _has_nul(obj):
            problems.append(_NUL_MESSAGE)
        elif isinstance(obj, dict):
            inp, more = _jsonl_input(obj)
            tags = obj.get("tags", [])
            if not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
                more.append('"tags" must be a list of strings')
            if not more:
                items.append(ItemData(inp, obj.get("expected"), tags))
            problems += more
        errors += [RowError(lineno, p) for p in problems]
    return items, errors


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _jsonl_input(obj: dict) -> tuple[Any, list[str]]:
    if "input" not in obj:  # flat shape: every other key is an input variable
        inp = {k: v for k, v in obj.items() if k not in ("expected", "tags")}
        return inp, [] if inp else ["object has no input keys"]
    problems = [
        f'unknown key "{k}" (allowed: input, expected, tags)'
        for k in obj
        if k not in ("input", "expected", "tags")
    ]
    if not isinstance(obj["input"], dict):
        problems.append('"input" must be a JSON object')
    return obj["input"], problems


def _parse_csv(text: str) -> tuple[list[ItemData], list[RowError]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    items: list[ItemData] = []
    errors: list[RowError] = []
    header: list[str] | None = None
    while True:
        # line_num counts physical lines read so far, so the previous value + 1
        # is where the next record (possibly multi-line) starts.
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(RowError(start, f"unreadable CSV: {exc}"))
            break
        if not any(cell.strip() for cell in row):  # blank line or ",,,"
            continue
        if any("\x00" in cell for cell in row):
            errors.append(RowError(start, _NUL_MESSAGE))
            if header is not None:
                continue
        row = [unescape_cell(cell) for cell in row]
        if header is None:
            # Spreadsheets often leave stray spaces around column names.
            header = [name.strip() for name in row]
            errors += [RowError(start, m) for m in _check_header(header)]
        elif len(row) != len(header):
            msg = f"expected {len(header)} cells (one per column), got {len(row)}"
            errors.append(RowError(start, msg))
        else:
            items.append(_csv_item(header, row))
    return items, errors


def _check_header(header: list[str]) -> list[str]:
    problems = []
    if "" in header:
        problems.append("empty column name in header")
    dupes = sorted({n for n in header if n and header.count(n) > 1})
    problems += [f'duplicate column "{n}"' for n in dupes]
    if "expected" in header and any(n.startswith("expected.") for n in header):
        problems.append(
            'use an "expected" column or "expected.<key>" columns, not both'
        )
    if "expected." in header:
        problems.append('column "expected." has no key after the dot')
    if all(not n or _is_special(n) for n in header):
        problems.append("no input column (every column is expected/tags)")
    return problems


def _csv_item(header: list[str], row: list[str]) -> ItemData:
    inp: dict[str, str] = {}
    expected: Any = None
    parts: dict[str, Any] = {}
    tags: list[str] = []
    for name, cell in zip(header, row, strict=True):
        if name == "tags":
            tags = [t.strip() for t in cell.split(",") if t.strip()]
        elif name == "expected":
            expected = _json_or_text(cell) if cell else None
        elif name.startswith("expected."):
            if cell:
                parts[name.removeprefix("expected.")] = _json_or_text(cell)
        else:
            inp[name] = cell
    return ItemData(input=inp, expected=parts or expected, tags=tags)


def export_jsonl(items: Iterable[ItemData]) -> str:
    """One structured object per line; None expected and empty tags are omitted."""
    out = []
    for item in items:
        obj: dict[str, Any] = {"input": item.input}
        if item.expected is not None:
            obj["expected"] = item.expected
        if item.tags:
            obj["tags"] = list(item.tags)
        out.append(_dumps(obj) + "\n")
    return "".join(out)


def _cell_text(value: Any) -> str:
    # Bare strings are friendlier to edit, but a string the reader would
    # JSON-parse (or drop, if empty) must be quoted to come back unchanged.
    # _json_or_text hands back the very same object only when parsing failed.
    if isinstance(value, str) and value and _json_or_text(value) is value:
        return value
    return _dumps(value)


def export_csv(items: Iterable[ItemData]) -> str:
    """Input columns, then ``expected.<key>`` (all dicts) or ``expected``, then tags.

    Raises ValueError if an input key would be read back as something else.
    """
    items = list(items)
    if not items:
        return ""
    inputs = list(dict.fromkeys(k for it in items for k in it.input))
    for key in inputs:
        if not key or key != key.strip() or _is_special(key):
            raise ValueError(f"input key {key!r} cannot be a CSV column name")
    expecteds = [it.expected for it in items if it.expected is not None]
    split = bool(expecteds) and all(isinstance(e, dict) for e in expecteds)
    parts = list(dict.fromkeys(k for e in expecteds for k in e)) if split else []
    has_tags = any(it.tags for it in items)
    header = inputs + [f"expected.{k}" for k in parts]
    header += ["expected"] if expecteds and not split else []
    header += ["tags"] if has_tags else []
    out = io.StringIO()
    # RFC 4180's \r\n terminator also makes the writer quote cells holding a
    # lone \r, which a "\n" terminator would leave bare and split on re-read.
    writer = csv.writer(out)
    writer.writerow([escape_cell(name) for name in header])
    for it in items:
        row = [
            v if isinstance(v := it.input.get(k, ""), str) else _dumps(v)
            for k in inputs
        ]
        if split:
            exp = it.expected or {}
            row += [_cell_text(exp[k]) if k in exp else "" for k in parts]
        elif expecteds:
            row.append("" if it.expected is None else _dumps(it.expected))
        if has_tags:
            row.append(",".join(it.tags))
        writer.writerow([escape_cell(cell) for cell in row])
    return out.getvalue()
