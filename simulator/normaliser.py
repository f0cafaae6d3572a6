"""Recovering and tidying entity lists: the second-stage simulated models.

A pipeline's second stage gets the first stage's output in its prompt and
turns it into the demo schema, ``{"people": [...], "places": [...],
"organisations": [...]}``. Not a language model either: ``recover`` finds the
lists in valid JSON, in sloppy JSON (single quotes, unquoted keys, trailing
commas, code fences, chatty wrappers, cut off mid-list) and in prose lists
(``People: Ada, Bob`` or a heading over bullets); ``strict`` accepts valid
JSON only, as a cheaper model would. Neither extracts names from a passage:
that is the first stage's job, so a pipeline is only as good as its first
stage lets it be.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

from simulator.entities import NAME_CONNECTORS

KINDS = ("people", "places", "organisations")
Entities = dict[str, list[str]]

# Keys and labels naming each list, as models write them.
_KEY_WORDS = (
    r"people|persons?|places?|locations?|organi[sz]ations?|orgs?|compan(?:y|ies)"
)
_KEY = re.compile(rf"(?:{_KEY_WORDS})", re.IGNORECASE)
# "people": [, 'places' =, **Organisations (2):** ...
_LABEL = re.compile(
    rf"(?<!\w)[\"']?({_KEY_WORDS})\b[\"'*]*[ \t]*(?:\(\d+\)[ \t]*)?[:=][*]*",
    re.IGNORECASE,
)
# A heading over a bulleted list: "## People" or "**Places**" on its own line.
_HEADING = re.compile(rf"^[ \t#*>]*({_KEY_WORDS})[ \t*]*$", re.IGNORECASE | re.M)
_QUOTED = re.compile(r"\"((?:[^\"\\\n]|\\.)*)\"|'((?:[^'\\\n]|\\.)*)'")
_BULLET = re.compile(r"^\s*(?:[-*+\u2022]|\d+[.)])\s+")
_FENCE = re.compile(r"^[ \t]*```[\w-]*[ \t]*$", re.MULTILINE)
# A leading "Entities:" or "Sure! Here is the JSON:" line: what follows it is
# the previous stage's output (JSON never starts a line with a bare word).
_LEAD_LABEL = re.compile(r"^[A-Za-z][^\n:{}\[\]\"]{0,80}:[ \t]*", re.MULTILINE)
_TRAILING_LABEL = re.compile(r"\n\s*[A-Za-z][\w ]{0,20}:\s*$")
_NOT_NAMES = frozenset({"none", "n/a", "na", "null", "nil", "nothing", "-", "..."})
# Lower-case words that stay so inside a name ("Rio de Janeiro").
_SMALL_WORDS = NAME_CONNECTORS | {"of", "and", "the", "for", "on", "upon", "y"}


def kind_of(label: str) -> str | None:
    """``people``, ``places``, ``organisations`` for a key or type label."""
    word = label.strip().casefold()
    if word.startswith("pe"):
        return "people"
    if word.startswith(("pla", "loc", "gpe")):
        return "places"
    if word.startswith(("org", "comp")):
        return "organisations"
    return None


def empty() -> Entities:
    return {kind: [] for kind in KINDS}


# --- From JSON ------------------------------------------------------------------


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return re.split(r"[,;]", value)
    if isinstance(value, list):
        names = []
        for item in value:
            if isinstance(item, str):
                names.append(item)
            elif isinstance(item, dict):
                name = item.get("name") or item.get("text")
                if isinstance(name, str):
                    names.append(name)
        return names
    return []


def _typed(items: list[Any]) -> Entities | None:
    """``[{"name": "Ada", "type": "PERSON"}, ...]``, as NER-minded models write."""
    found = empty()
    hit = False
    for item in items:
        if not isinstance(item, dict):
            continue
        name = item.get("name") or item.get("text")
        label = item.get("type") or item.get("label") or item.get("kind")
        kind = kind_of(label) if isinstance(label, str) else None
        if kind and isinstance(name, str):
            found[kind].append(name)
            hit = True
    return found if hit else None


def from_json(data: Any) -> Entities | None:
    """The entity lists in parsed JSON, or None if it holds none."""
    if isinstance(data, list):
        return _typed(data)
    if not isinstance(data, dict):
        return None
    found = empty()
    hit = False
    for key, value in data.items():
        kind = kind_of(key) if _KEY.fullmatch(str(key)) else None
        if kind:
            found[kind].extend(_names(value))
            hit = True
    if hit:
        return found
    # {"entities": {...}} or {"entities": [{"name": ..., "type": ...}]}
    for value in data.values():
        nested = from_json(value)
        if nested:
            return nested
    return None


def _json_values(text: str) -> list[Any]:
    """Every JSON object or array in ``text``, outermost only, in order."""
    decoder = json.JSONDecoder()
    values = []
    i = 0
    while True:
        starts = [p for p in (text.find("{", i), text.find("[", i)) if p >= 0]
        if not starts:
            return values
        start = min(starts)
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            i = start + 1
            continue
        values.append(value)
        i = end


# --- From sloppy JSON and prose -------------------------------------------------


def _items_in(region: str) -> list[str]:
    """The names in the text after one label, up to the next label."""
    body = region.lstrip(" \t")
    if body.startswith("["):
        inner = body[1:].split("]", 1)[0]
        if inner.lstrip()[:1] in ('"', "'"):
            # A string cut off by the end of the output is lost, not guessed.
            return [double or single for double, single in _QUOTED.findall(inner)]
        return inner.split(",")
    if body.startswith(('"', "'")):
        match = _QUOTED.match(body)
        return re.split(r"[,;]", match.group(1) or match.group(2)) if match else []
    line, _, rest = body.partition("\n")
    if line.strip(" *"):
        return re.split(r"[,;]", line)
    items = []  # a bulleted (or one-a-line) list under the label
    for row in rest.splitlines():
        if not row.strip():
            if items:
                break
            continue
        items.append(_BULLET.sub("", row))
    return items


def _from_labels(text: str) -> Entities | None:
    marks = sorted(
        [(m.start(), m.end(), m.group(1)) for m in _LABEL.finditer(text)]
        + [(m.start(), m.end(), m.group(1)) for m in _HEADING.finditer(text)]
    )
    found = empty()
    hit = False
    for index, (_, end, label) in enumerate(marks):
        stop = marks[index + 1][0] if index + 1 < len(marks) else len(text)
        kind = kind_of(label)
        if kind and end <= stop:
            found[kind].extend(_items_in(text[end:stop]))
            hit = True
    return found if hit else None


# --- Tidying ------------------------------------------------------------------


def _title(name: str) -> str:
    words = name.split()
    shouting = len(words) > 1 and name.isupper()
    out = []
    for i, word in enumerate(words):
        if shouting:
            word = word.lower()
        if word.islower() and not (i and word in _SMALL_WORDS):
            # Only all-lower words: "NASA" and "McLaren" are already right.
            word = "-".join(part[:1].upper() + part[1:] for part in word.split("-"))
        out.append(word)
    return " ".join(out)


def _clean(item: str) -> str:
    name = _BULLET.sub("", item.replace("\\", ""))
    name = re.sub(r"\s*\([^)]*\)?\s*$", "", name)  # "Ada (person)"
    name = name.strip().strip("*\"'`[]{}").strip()
    name = re.sub(r"^(?:and|&)\s+", "", name).rstrip(".,;:!").strip()
    name = " ".join(name.split())
    if name.casefold() in _NOT_NAMES or len(name) > 80:
        return ""
    if not any(ch.isalpha() for ch in name):
        return ""
    return _title(name)


def tidy(found: Entities) -> Entities:
    """Clean, title-cased, de-duplicated (ignoring case) and sorted lists."""
    out = empty()
    for kind in KINDS:
        seen: dict[str, str] = {}
        for item in found.get(kind, []):
            name = _clean(item) if isinstance(item, str) else ""
            if name and name.casefold() not in seen:
                seen[name.casefold()] = name
        out[kind] = sorted(seen.values(), key=str.casefold)
    return out


def slip(found: Entities, rng: random.Random, rate: float) -> Entities:
    """Each name dropped (half the ``rate``) or filed under another kind
    (the other half), as a model sampling at a higher temperature does."""
    if rate <= 0:
        return found
    out = empty()
    for kind in KINDS:
        for name in found[kind]:
            roll = rng.random()
            if roll < rate / 2:
                continue
            if roll < rate:
                kind_for = rng.choice([k for k in KINDS if k != kind])
                out[kind_for].append(name)
            else:
                out[kind].append(name)
    return tidy(out)


# --- The two readers ----------------------------------------------------------


def recover(text: str) -> Entities:
    """The entity lists in a previous stage's output, however sloppy: the last
    JSON value that holds names, else ``Label: names`` lists, else none."""
    text = _FENCE.sub("", text)
    values = _json_values(text)
    for value in reversed(values):
        found = from_json(value)
        if found and any(found.values()):
            return tidy(found)
    # A list of {"name", "type"} objects cut off before its "]".
    found = _typed([value for value in values if isinstance(value, dict)])
    return tidy(found or _from_labels(text) or empty())


def payload_of(text: str) -> str:
    """The previous stage's output in a prompt: after the last ``Label:`` that
    starts a line (``Entities:``), without a trailing ``JSON:`` cue."""
    text = _TRAILING_LABEL.sub("", text)
    labels = list(_LEAD_LABEL.finditer(text))
    return (text[labels[-1].end() :] if labels else text).strip()


def strict(text: str) -> Entities | None:
    """The entity lists if the previous stage's output is valid JSON, else
    None; valid JSON that names no list gives empty lists."""
    try:
        data = json.loads(payload_of(text))
    except ValueError:
        return None
    return tidy(from_json(data) or empty())
