"""The built-in pure scorers (``llm_judge`` lives in ``scoring.judge``).

Each returns a value in [0, 1] and never raises for a bad output, a bad
rendered template or a missing expected value: it returns 0 with the reason
in ``error``. ``error`` means "could not score"; a legitimate fail (text not
found, schema violated) is a 0 with the evidence in ``detail``.

The JSON scorers are in ``scoring.builtins_json``; the helpers here
(``SafeScorer``, ``ScoringError``) are meant for custom scorers too.
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

from rapidfuzz import fuzz

from scoring.base import BaseScorer, ScoreContext, ScoreResult, clamp
from scoring.strict_json import loads_output

STR = {"type": "string"}
BOOL = {"type": "boolean"}
NUMBER = {"type": "number"}
MAX_DETAIL_ITEMS = 20  # lists in ``detail`` are capped to keep run rows small


class ScoringError(Exception):
    """Raised inside a scorer for "cannot score"; ``SafeScorer`` turns it into
    ``ScoreResult(0, error=...)``."""


class SafeScorer(BaseScorer):
    """A synchronous scorer whose ``evaluate`` may raise: any exception becomes
    a 0 with the reason in ``error`` and the value is clamped into [0, 1], so
    one odd output (or a template that fails for one item) never stops a
    sweep."""

    def score(self, input: dict, output: str, context: ScoreContext) -> ScoreResult:
        try:
            result = self.evaluate(input, output if output is not None else "", context)
        except ScoringError as exc:
            return ScoreResult(0.0, error=str(exc))
        except Exception as exc:  # a scorer bug or a template error for one item
            return ScoreResult(0.0, error=f"{type(exc).__name__}: {exc}")
        result.value = clamp(result.value)
        return result

    def evaluate(self, input: dict, output: str, context: ScoreContext) -> ScoreResult:
        """Subclasses score here; ``score`` adds clamping and error capture."""
        raise TypeError(f"{type(self).__name__} must define evaluate()")


def as_text(value: Any) -> str:
    """Strings as they are, anything else as JSON (so 42 and "42" compare
    equal and objects have one spelling)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def expected_field(context: ScoreContext, field: str) -> Any:
    expected = context.expected
    if not isinstance(expected, dict):
        raise ScoringError(f'expected is not an object, so it has no "{field}"')
    if field not in expected:
        raise ScoringError(f'expected has no "{field}"')
    return expected[field]


def render(context: ScoreContext, template: str) -> str:
    try:
        return context.render(template)
    except Exception as exc:
        raise ScoringError(f"cannot render {template!r}: {exc}") from exc


def parse_output(output: str, context: ScoreContext) -> Any:
    """The output as JSON: the engine's ``output_json`` when it has one, else
    the whole stripped output parsed strictly; raises ``ScoringError``."""
    if context.output_json is not None:
        return context.output_json
    try:
        return loads_output(output)
    except ValueError as exc:
        raise ScoringError(f"the output is not valid JSON: {exc}") from exc


def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    names = {dict: "object", list: "array", str: "string", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def output_object(output: str, context: ScoreContext) -> dict:
    document = parse_output(output, context)
    if not isinstance(document, dict):
        raise ScoringError(f"the output is a JSON {json_type(document)}, not an object")
    return document


def passed(ok: bool, detail: dict | None = None) -> ScoreResult:
    return ScoreResult(1.0 if ok else 0.0, detail)


class ExactMatchScorer(SafeScorer):
    """1 if the output equals the target: the ``value`` template, else
    ``expected`` when it is a string, else ``expected[field]``.

    ``strip`` (default true) trims whitespace and ``ignore_case`` (default
    true) compares case-folded. With ``field`` the whole output is compared
    with that field of ``expected`` (a label classifier's expected
    ``{"label": "positive"}``); non-string targets are compared as JSON.
    """

    type = "exact_match"
    options: ClassVar[dict] = {
        "value": STR,
        "field": STR,
        "ignore_case": BOOL,
        "strip": BOOL,
    }
    template_options = ("value",)

    def evaluate(self, input: dict, output: str, context: ScoreContext) -> ScoreResult:
        if "value" in self.config:
            target = render(context, self.config["value"])
        elif "field" in self.config:
            target = as_text(expected_field(context, self.config["field"]))
        elif isinstance(context.expected, str):
            target = context.expected
        else:
            raise ScoringError(
                "nothing to compare with: set value or field, or give a string expected"
            )
        got, want = output, target
        if self.config.get("strip", True):
            got, want = got.strip(), want.strip()
        if self.config.get("ignore_case", True):
            got, want = got.casefold(), want.casefold()
        return passed(got == want, None if got == want else {"expected": target[:200]})


class ContainsScorer(SafeScorer):
    """Whether the output contains the ``value`` template (1/0), or the
    ``values`` templates: ``mode: any`` (default) gives 1 if any is found,
    ``mode: all`` gives the fraction found. Case-sensitive."""

    type = "contains"
    options: ClassVar[dict] = {
        "value": STR,
        "values": {"type": "array", "items": STR, "minItems": 1},
        "mode": {"enum": ["any", "all"]},
    }
    one_of_required: ClassVar[list[str]] = ["value", "values"]
    template_options = ("value", "values")
    ignore_case = False

    def evaluate(self, input: dict, output: str, context: ScoreContext) -> ScoreResult:
        if "value" in self.config:
            templates = [self.config["value"]]
        else:
            templates = list(self.config.get("values") or [])
        if not templates:
            raise ScoringError("give value or values")
        needles = [render(context, t) for t in templates]
        haystack = output.casefold() if self.ignore_case else output
        found: list[str] = []
        missing: list[str] = []
        for needle in needles:
            key = needle.casefold() if self.ignore_case else needle
            (found if key in haystack else missing).append(needle)
        detail = {
            "found": found[:MAX_DETAIL_ITEMS],
            "missing": missing[:MAX_DETAIL_ITEMS],
        }
        if self.config.get("mode", "any") == "all":
            return ScoreResult(len(found) / len(needles), detail)
        return passed(bool(found), detail)


class IContainsScorer(ContainsScorer):
    """As ``contains``, compared case-insensitively (case-folded)."""

    type = "icontains"
    ignore_case = True


_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}


class RegexScorer(SafeScorer):
    """1 if the ``pattern`` template matches anywhere in the output
    (``re.search``); ``flags`` is any of ``imsx``. An invalid pattern scores 0
    with the error."""

    type = "regex"
    options: ClassVar[dict] = {
        "pattern": STR,
        "flags": {"type": "string", "pattern": "^[imsx]*$"},
    }
    required: ClassVar[list[str]] = ["pattern"]
    template_options = ("pattern",)

    def evaluate(self, input: dict, output: str, context: ScoreContext) -> ScoreResult:
        pattern = render(context, self.config["pattern"])
        flags = 0
        for letter in self.config.get("flags", ""):
            if letter not in _FLAGS:
                raise ScoringError(f'unknown regex flag "{letter}"')
            flags |= _FLAGS[letter]
        try:
            match = re.search(pattern, output, flags)
        except re.error as exc:
            raise ScoringError(f"invalid pattern {pattern!r}: {exc}") from exc
        return passed(match is not None, {"match": match[0][:200]} if match else None)


class SimilarityScorer(SafeScorer):
    """Fuzzy similarity, ``rapidfuzz.fuzz.ratio / 100``, between the output
    and the ``value`` template, else ``expected`` (as JSON when not a string);
    with ``field``, between ``output_json[field]`` and ``expected[field]``."""

    type = "similarity"
    options: ClassVar[dict] = {"field": STR, "value": STR}
    template_options = ("value",)

    def evaluate(self, input: dict, output: str, context: ScoreContext) -> ScoreResult:
        if "value" in self.config:
            got, want = output, render(context, self.config["value"])
        elif "field" in self.config:
            field = self.config["field"]
            want = as_text(expected_field(context, field))
            document = output_object(output, context)
            if field not in document:
                raise ScoringError(f'the output has no "{field}"')
            got = as_text(document[field])
        elif context.expected is not None:
            got, want = output, as_text(context.expected)
        else:
            raise ScoringError("nothing to compare with: set value or field")
        return ScoreResult(fuzz.ratio(got, want) / 100)


class LengthScorer(SafeScorer):
    """1 if the stripped output's length is within ``min``..``max``
    (inclusive, either optional) counted in ``unit`` chars (default) or
    words; else 0 with the length in ``detail``."""

    type = "length"
    options: ClassVar[dict] = {
        "min": {"type": "integer", "minimum": 0},
        "max": {"type": "integer", "minimum": 0},
        "unit": {"enum": ["chars", "words"]},
    }

    def evaluate(self, input: dict, output: str, context: ScoreContext) -> ScoreResult:
        unit = self.config.get("unit", "chars")
        text = output.strip()
        length = len(text.split()) if unit == "words" else len(text)
        low, high = self.config.get("min"), self.config.get("max")
        ok = (low is None or length >= low) and (high is None or length <= high)
        return passed(ok, {"length": length, "unit": unit, "min": low, "max": high})


class LatencyScorer(SafeScorer):
    """1 if the call's latency is at most ``max_ms`` milliseconds; unknown
    latency (a cached result without one) scores 0 with an error."""

    type = "latency"
    options: ClassVar[dict] = {"max_ms": {**NUMBER, "exclusiveMinimum": 0}}
    required: ClassVar[list[str]] = ["max_ms"]

    def evaluate(self, input: dict, output: str, context: ScoreContext) -> ScoreResult:
        if context.latency_ms is None:
            raise ScoringError("latency unknown")
        limit = self.config["max_ms"]
        detail = {"latency_ms": context.latency_ms, "max_ms": limit}
        return passed(context.latency_ms <= limit, detail)


class CostScorer(SafeScorer):
    """1 if the call cost at most ``max_usd``. Unknown cost (no prices, as
    for local models) scores 1 with ``detail {"cost": null}``: an unpriced
    model is treated as free rather than failing every run."""

    type = "cost"
    options: ClassVar[dict] = {"max_usd": {**NUMBER, "minimum": 0}}
    required: ClassVar[list[str]] = ["max_usd"]

    def evaluate(self, input: dict, output: str, context: ScoreContext) -> ScoreResult:
        limit = self.config["max_usd"]
        if context.cost is None:
            return ScoreResult(1.0, {"cost": None, "max_usd": limit})
        return passed(context.cost <= limit, {"cost": context.cost, "max_usd": limit})
