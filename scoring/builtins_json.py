"""The built-in scorers of JSON outputs: json_valid, json_schema, json_f1.

Same rules as ``scoring.builtins``: values in [0, 1], never raise, ``error``
only when the scorer could not score.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from scoring.base import ScoreContext, ScoreResult
from scoring.builtins import (
    BOOL,
    MAX_DETAIL_ITEMS,
    STR,
    SafeScorer,
    ScoringError,
    expected_field,
    output_object,
    parse_output,
    passed,
)
from scoring.strict_json import loads_output


class JsonValidScorer(SafeScorer):
    """1 if the whole output, stripped of surrounding whitespace, parses as
    JSON (strict: no code fences, no prose around it); else 0 with the parse
    error in ``detail`` (not ``error``: an invalid output is what it
    measures)."""

    type = "json_valid"
    options: ClassVar[dict] = {}

    def evaluate(self, input: dict, output: str, context: ScoreContext) -> ScoreResult:
        try:
            loads_output(output)
        except ValueError as exc:
            return passed(False, {"reason": str(exc)[:300]})
        return passed(True)


class JsonSchemaScorer(SafeScorer):
    """1 if the output's JSON is valid against ``schema`` (JSON Schema draft
    2020-12); else 0 with the first violation's path and message in
    ``detail``. Output that is not JSON, or an invalid schema, scores 0 with
    an error."""

    type = "json_schema"
    options: ClassVar[dict] = {"schema": {"type": "object"}}
    required: ClassVar[list[str]] = ["schema"]

    def __init__(self, **options: Any):
        super().__init__(**options)
        # Checked once per sweep rather than per run; a broken schema is
        # reported on every run's score instead of failing the whole sweep.
        self._schema_error = ""
        self._validator: Draft202012Validator | None = None
        try:
            # A missing schema (None) is refused here like any invalid one.
            schema: Any = options.get("schema")
            Draft202012Validator.check_schema(schema)
            self._validator = Draft202012Validator(options["schema"])
        except SchemaError as exc:
            self._schema_error = f"invalid schema: {exc.message}"

    def evaluate(self, input: dict, output: str, context: ScoreContext) -> ScoreResult:
        if self._validator is None:
            raise ScoringError(self._schema_error)
        document = parse_output(output, context)
        # Sorted so "first" is stable: jsonschema's iteration order is not
        # specified.
        errors = sorted(
            self._validator.iter_errors(document),
            key=lambda e: (e.json_path, e.message),
        )
        if not errors:
            return passed(True)
        first = errors[0]
        return passed(
            False,
            {
                "path": first.json_path,
                "message": first.message[:300],
                "errors": len(errors),
            },
        )


class JsonF1Scorer(SafeScorer):
    """Set F1 between the values of ``output_json[field]`` and
    ``expected[field]`` (a scalar counts as a one-value list, null as empty).
    Strings are stripped, and case-folded when ``ignore_case`` (default
    true); other values compare as canonical JSON. Both empty scores 1.0. Output that is
    not a JSON object, or lacks the field, scores 0 with an error. ``detail``
    has precision, recall and the (capped) missing and extra values."""

    type = "json_f1"
    options: ClassVar[dict] = {"field": STR, "ignore_case": BOOL}
    required: ClassVar[list[str]] = ["field"]

    def evaluate(self, input: dict, output: str, context: ScoreContext) -> ScoreResult:
        field = self.config["field"]
        want = self._normalised(expected_field(context, field))
        document = output_object(output, context)
        if field not in document:
            raise ScoringError(f'the output has no "{field}"')
        got = self._normalised(document[field])
        if not got and not want:
            return ScoreResult(1.0, {"precision": 1.0, "recall": 1.0})
        hits = len(got & want)
        precision = hits / len(got) if got else 0.0
        recall = hits / len(want) if want else 0.0
        f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
        return ScoreResult(
            f1,
            {
                "precision": round(precision, 4),
                "recall": round(recall, 4),
                "missing": sorted(want - got)[:MAX_DETAIL_ITEMS],
                "extra": sorted(got - want)[:MAX_DETAIL_ITEMS],
            },
        )

    def _normalised(self, value: Any) -> set[str]:
        if value is None:  # a null field means "none found"
            return set()
        values = value if isinstance(value, list) else [value]
        ignore_case = self.config.get("ignore_case", True)
        result = set()
        for item in values:
            if isinstance(item, str):
                item = item.strip()
                result.add(item.casefold() if ignore_case else item)
            else:
                # Hashable and order-independent for objects in the list.
                result.add(json.dumps(item, sort_keys=True, ensure_ascii=False))
        return result
