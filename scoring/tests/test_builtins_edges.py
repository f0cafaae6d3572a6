"""The built-in scorers at their edges: limits exactly reached, the F1
formula where precision and recall differ, the evidence in ``detail``, a
scorer that breaks, and option schemas that refuse bad options.

Written to kill the mutants ``make mutation`` showed surviving."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from scoring.base import ScoreContext, ScoreResult, clamp
from scoring.builtins import (
    MAX_DETAIL_ITEMS,
    ContainsScorer,
    CostScorer,
    ExactMatchScorer,
    IContainsScorer,
    LatencyScorer,
    LengthScorer,
    RegexScorer,
    SafeScorer,
    ScoringError,
    SimilarityScorer,
    as_text,
    json_type,
)
from scoring.builtins_json import JsonF1Scorer, JsonSchemaScorer, JsonValidScorer


def score(scorer, output, **context) -> ScoreResult:
    result = scorer.score({}, output, ScoreContext(**context))
    assert 0.0 <= result.value <= 1.0
    return result


class Broken(SafeScorer):
    type = "broken"

    def __init__(self, exc: Exception, value: float = 1.0):
        super().__init__()
        self.exc, self.value = exc, value

    def evaluate(self, input, output, context):
        raise self.exc


def test_a_scorer_that_raises_scores_zero_with_the_error_recorded():
    result = score(Broken(KeyError("people")), "x")
    assert (result.value, result.error) == (0.0, "KeyError: 'people'")
    failed = score(Broken(ScoringError("cannot score this")), "x")
    assert (failed.value, failed.error) == (0.0, "cannot score this")


def test_a_safe_scorer_without_evaluate_reports_it():
    result = score(SafeScorer(), "x")
    assert result.value == 0.0 and "must define evaluate" in result.error


class Returns(SafeScorer):
    def __init__(self, value: float):
        super().__init__()
        self.value = value

    def evaluate(self, input, output, context):
        return ScoreResult(self.value)


@pytest.mark.parametrize(
    ("raw", "clamped"), [(1.5, 1.0), (-0.5, 0.0), (float("nan"), 0.0), (0.25, 0.25)]
)
def test_values_are_clamped_into_zero_one(raw, clamped):
    assert Returns(raw).score({}, "x", ScoreContext()).value == clamped
    assert clamp(raw) == clamped


def test_latency_exactly_at_the_limit_passes():
    at = score(LatencyScorer(max_ms=500), "x", latency_ms=500.0)
    assert at.value == 1.0
    assert at.detail == {"latency_ms": 500.0, "max_ms": 500}
    assert score(LatencyScorer(max_ms=500), "x", latency_ms=500.01).value == 0.0


def test_cost_exactly_at_the_limit_passes():
    at = score(CostScorer(max_usd=0.01), "x", cost=0.01)
    assert (at.value, at.detail) == (1.0, {"cost": 0.01, "max_usd": 0.01})
    assert score(CostScorer(max_usd=0.01), "x", cost=0.010001).value == 0.0
    assert score(CostScorer(max_usd=0), "x", cost=0.0).value == 1.0


def test_length_bounds_are_inclusive():
    assert score(LengthScorer(min=5, max=5), "hello").value == 1.0
    assert score(LengthScorer(min=6), "hello").value == 0.0
    assert score(LengthScorer(max=4), "hello").value == 0.0
    words = score(LengthScorer(max=2, unit="words"), " one  two three ")
    assert words.value == 0.0
    assert words.detail == {"length": 3, "unit": "words", "min": None, "max": 2}


def test_f1_is_the_harmonic_mean_when_precision_and_recall_differ():
    # 1 hit of 1 given (precision 1) and of 3 expected (recall 1/3): F1 = 0.5.
    context = {"expected": {"tags": ["a", "b", "c"]}}
    result = score(JsonF1Scorer(field="tags"), '{"tags": ["A "]}', **context)
    assert result.value == pytest.approx(0.5)
    assert result.detail == {
        "precision": 1.0,
        "recall": 0.3333,
        "missing": ["b", "c"],
        "extra": [],
    }
    # 2 hits of 4 given and of 2 expected: precision 0.5, recall 1, F1 = 2/3.
    many = score(
        JsonF1Scorer(field="tags"),
        '{"tags": ["a", "b", "x", "y"]}',
        expected={"tags": ["a", "b"]},
    )
    assert many.value == pytest.approx(2 / 3)
    assert (many.detail["precision"], many.detail["recall"]) == (0.5, 1.0)
    assert many.detail["extra"] == ["x", "y"]


def test_f1_with_nothing_given_or_nothing_expected():
    none_given = score(
        JsonF1Scorer(field="tags"), '{"tags": null}', expected={"tags": ["a"]}
    )
    assert none_given.value == 0.0
    assert (none_given.detail["precision"], none_given.detail["recall"]) == (0, 0)
    both_empty = score(
        JsonF1Scorer(field="tags"), '{"tags": []}', expected={"tags": None}
    )
    assert (both_empty.value, both_empty.detail["precision"]) == (1.0, 1.0)
    nothing_expected = score(
        JsonF1Scorer(field="tags"), '{"tags": ["a"]}', expected={"tags": []}
    )
    assert nothing_expected.value == 0.0
    assert nothing_expected.detail["recall"] == 0.0


def test_f1_compares_non_strings_as_canonical_json_and_caps_the_lists():
    result = score(
        JsonF1Scorer(field="v"),
        '{"v": [{"b": 1, "a": 2}, 3]}',
        expected={"v": [{"a": 2, "b": 1}, "4"]},
    )
    assert result.value == pytest.approx(0.5)
    assert result.detail["missing"] == ["4"] and result.detail["extra"] == ["3"]
    many = [f"x{i:02}" for i in range(MAX_DETAIL_ITEMS + 5)]
    capped = score(JsonF1Scorer(field="v"), '{"v": []}', expected={"v": many})
    assert (
        capped.detail["missing"] == many[:MAX_DETAIL_ITEMS] and MAX_DETAIL_ITEMS == 20
    )


def test_f1_keeps_case_when_asked():
    kept = score(
        JsonF1Scorer(field="v", ignore_case=False),
        '{"v": ["A", "b"]}',
        expected={"v": ["a", "b"]},
    )
    assert kept.detail["missing"] == ["a"] and kept.detail["extra"] == ["A"]


def test_a_regex_non_match_scores_zero_with_no_evidence():
    miss = score(RegexScorer(pattern=r"\d+"), "no digits")
    assert (miss.value, miss.detail, miss.error) == (0.0, None, "")
    hit = score(RegexScorer(pattern=r"\d+"), "call 555 now")
    assert (hit.value, hit.detail) == (1.0, {"match": "555"})
    long = score(RegexScorer(pattern=r"a+"), "a" * 300)
    assert long.detail == {"match": "a" * 200}


def test_regex_flags_combine_and_unknown_ones_are_reported():
    assert score(RegexScorer(pattern="^B", flags="m"), "a\nb").value == 0.0
    assert score(RegexScorer(pattern="^B", flags="mi"), "a\nb").value == 1.0
    assert score(RegexScorer(pattern="a.b", flags="s"), "a\nb").value == 1.0
    assert score(RegexScorer(pattern="a.b"), "a\nb").value == 0.0
    bad = score(RegexScorer(pattern="a", flags="q"), "a")
    assert (bad.value, bad.error) == (0.0, 'unknown regex flag "q"')


def test_a_mismatch_shows_what_was_expected():
    result = score(ExactMatchScorer(value="London"), "Paris")
    assert (result.value, result.detail) == (0.0, {"expected": "London"})
    assert score(ExactMatchScorer(value="x" * 300), "y").detail == {
        "expected": "x" * 200
    }
    assert score(ExactMatchScorer(value="London"), " london ").detail is None


def test_exact_match_field_compares_non_strings_as_json():
    scorer = ExactMatchScorer(field="ok")
    assert score(scorer, "true", expected={"ok": True}).value == 1.0
    assert score(scorer, "True", expected={"ok": True}).value == 1.0
    refused = score(scorer, "x", expected=["ok"])
    assert refused.error == 'expected is not an object, so it has no "ok"'


def test_contains_reports_found_and_missing_and_scores_the_fraction():
    scorer = ContainsScorer(values=["Ada", "Bob", "Cy", "ada"], mode="all")
    result = score(scorer, "Ada and Cy")
    assert result.value == 0.5
    assert result.detail == {"found": ["Ada", "Cy"], "missing": ["Bob", "ada"]}
    any_mode = score(ContainsScorer(values=["zz", "Cy"]), "Ada and Cy")
    assert (any_mode.value, any_mode.detail["found"]) == (1.0, ["Cy"])
    assert score(ContainsScorer(values=["zz"]), "Ada").value == 0.0
    folded = score(IContainsScorer(values=["ADA", "bob"], mode="all"), "ada")
    assert (folded.value, folded.detail["found"]) == (0.5, ["ADA"])


def test_similarity_by_field_needs_the_field_in_the_output():
    scorer = SimilarityScorer(field="city")
    missing = score(scorer, '{"town": "London"}', expected={"city": "London"})
    assert (missing.value, missing.error) == (0.0, 'the output has no "city"')
    assert score(scorer, '{"city": 2}', expected={"city": 2}).value == 1.0


def test_json_valid_and_schema_evidence():
    bad = score(JsonValidScorer(), "{nope")
    assert bad.value == 0.0 and bad.detail["reason"] and not bad.error
    assert score(JsonValidScorer(), ' {"a": 1} ').detail is None
    schema = {"type": "object", "properties": {"a": {"type": "integer"}, "b": {}}}
    scorer = JsonSchemaScorer(schema={**schema, "required": ["a", "b"]})
    result = score(scorer, '{"a": "x"}')
    assert result.detail["errors"] == 2
    assert result.detail["path"] == "$"  # sorted by path: the root comes first
    broken = score(JsonSchemaScorer(schema={"type": 5}), "{}")
    assert broken.error.startswith("invalid schema:")


def test_json_types_are_named_as_json_names_them():
    assert [json_type(v) for v in (True, 1, 1.5, {}, [], "", None)] == [
        "boolean",
        "number",
        "number",
        "object",
        "array",
        "string",
        "null",
    ]
    assert as_text(42) == "42" and as_text("é") == "é" and as_text(["é"]) == '["é"]'


def schema_of(cls) -> Draft202012Validator:
    return Draft202012Validator(
        {
            "type": "object",
            "properties": cls.options,
            "required": cls.required,
        }
    )


@pytest.mark.parametrize(
    ("cls", "options"),
    [
        (LengthScorer, {"min": -1}),
        (LengthScorer, {"max": -1}),
        (LengthScorer, {"unit": "lines"}),
        (LatencyScorer, {"max_ms": 0}),
        (CostScorer, {"max_usd": -0.01}),
        (ContainsScorer, {"values": []}),
        (ContainsScorer, {"mode": "some"}),
        (RegexScorer, {"pattern": "a", "flags": "q"}),
        (JsonF1Scorer, {}),
        (JsonSchemaScorer, {"schema": []}),
    ],
)
def test_option_schemas_refuse_bad_options(cls, options):
    assert not schema_of(cls).is_valid(options)


@pytest.mark.parametrize(
    ("cls", "options"),
    [
        (LengthScorer, {"min": 0, "max": 0, "unit": "words"}),
        (LatencyScorer, {"max_ms": 0.5}),
        (CostScorer, {"max_usd": 0}),
        (ContainsScorer, {"values": ["a"], "mode": "all"}),
        (RegexScorer, {"pattern": "a", "flags": "imsx"}),
    ],
)
def test_option_schemas_accept_the_edges(cls, options):
    assert schema_of(cls).is_valid(options)


def test_contains_without_anything_to_look_for_cannot_score():
    for scorer in (ContainsScorer(), ContainsScorer(values=[])):
        result = score(scorer, "anything")
        assert (result.value, result.error) == (0.0, "give value or values")


def test_f1_details_round_to_four_places_and_keep_unicode():
    result = score(
        JsonF1Scorer(field="v"), '{"v": ["a", "b", "c"]}', expected={"v": ["a"]}
    )
    assert (result.detail["precision"], result.detail["recall"]) == (0.3333, 1.0)
    both_empty = score(JsonF1Scorer(field="v"), '{"v": []}', expected={"v": []})
    assert both_empty.detail == {"precision": 1.0, "recall": 1.0}
    unicode = score(JsonF1Scorer(field="v"), '{"v": []}', expected={"v": [["é"]]})
    assert unicode.detail["missing"] == ['["é"]']


def test_json_schema_keeps_its_options_and_caps_the_message():
    schema = {"type": "integer"}
    scorer = JsonSchemaScorer(schema=schema)
    assert scorer.config == {"schema": schema}
    result = score(scorer, '"' + "x" * 400 + '"')
    assert len(result.detail["message"]) == 300
