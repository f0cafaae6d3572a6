"""The built-in pure scorers: good and bad outputs, values in [0, 1], errors
recorded rather than raised."""

from __future__ import annotations

import math

import pytest

from experiments.spec import templates
from scoring.base import ScoreContext, ScoreResult
from scoring.builtins import (
    ContainsScorer,
    CostScorer,
    ExactMatchScorer,
    IContainsScorer,
    LatencyScorer,
    LengthScorer,
    RegexScorer,
    SimilarityScorer,
)
from scoring.builtins_json import JsonF1Scorer, JsonSchemaScorer, JsonValidScorer

ITEM = {"text": "Ada Lovelace met Babbage in London."}
EXPECTED = {"people": ["Ada Lovelace", "Charles Babbage"], "city": "London", "n": 2}


def ctx(expected=EXPECTED, **kwargs) -> ScoreContext:
    """A context that renders templates the way the engine does."""
    variables = templates.item_context(ITEM, expected)
    return ScoreContext(
        expected=expected,
        render=lambda text: templates.render(text, variables),
        variables=variables,
        **kwargs,
    )


def run(scorer, output, context=None) -> ScoreResult:
    result = scorer.score(ITEM, output, context or ctx())
    assert 0.0 <= result.value <= 1.0
    return result


@pytest.mark.parametrize(
    ("options", "expected", "output", "value"),
    [
        ({"value": "{{ expected.city }}"}, EXPECTED, "  london\n", 1.0),
        ({"value": "{{ expected.city }}", "ignore_case": False}, EXPECTED, "london", 0),
        ({"value": "London", "strip": False}, EXPECTED, " London", 0.0),
        ({}, "Paris", "paris", 1.0),
        ({}, "Paris", "Paris, France", 0.0),
        ({"field": "city"}, EXPECTED, "London", 1.0),
        ({"field": "n"}, EXPECTED, "2", 1.0),
    ],
)
def test_exact_match_compares_output_with_the_expected_value(
    options, expected, output, value
):
    assert run(ExactMatchScorer(**options), output, ctx(expected)).value == value


@pytest.mark.parametrize(
    ("options", "expected", "fragment"),
    [
        ({}, {"city": "London"}, "nothing to compare"),
        ({"field": "country"}, EXPECTED, 'no "country"'),
        ({"field": "city"}, "London", "not an object"),
        ({"value": "{{ expected.city }}"}, None, "cannot render"),
    ],
)
def test_exact_match_cannot_score(options, expected, fragment):
    result = run(ExactMatchScorer(**options), "London", ctx(expected))
    assert result.value == 0.0
    assert fragment in result.error


def test_contains_value_and_values():
    assert run(ContainsScorer(value="{{ expected.city }}"), "in London").value == 1.0
    assert run(ContainsScorer(value="{{ expected.city }}"), "in london").value == 0.0
    values = ["Ada", "Babbage", "Turing"]
    assert run(ContainsScorer(values=values), "Babbage").value == 1.0
    assert run(ContainsScorer(values=values), "Nobody").value == 0.0
    result = run(ContainsScorer(values=values, mode="all"), "Ada and Babbage")
    assert result.value == pytest.approx(2 / 3)
    assert result.detail == {"found": ["Ada", "Babbage"], "missing": ["Turing"]}


def test_icontains_ignores_case():
    assert run(IContainsScorer(value="LONDON"), "in london").value == 1.0
    scorer = IContainsScorer(values=["ada", "BABBAGE"], mode="all")
    assert run(scorer, "ADA, babbage").value == 1.0


def test_contains_template_error_is_recorded():
    result = run(ContainsScorer(value="{{ nope }}"), "anything")
    assert result.value == 0.0
    assert "cannot render" in result.error


def test_regex_scores_a_match_and_reports_an_invalid_pattern():
    assert run(RegexScorer(pattern=r"\d{4}"), "born 1815").value == 1.0
    assert run(RegexScorer(pattern=r"\d{4}"), "born long ago").value == 0.0
    assert run(RegexScorer(pattern="^ada", flags="im"), "x\nADA").value == 1.0
    assert run(RegexScorer(pattern="{{ expected.city }}$"), "to London").value == 1.0
    bad = run(RegexScorer(pattern="(unclosed"), "anything")
    assert bad.value == 0.0
    assert "invalid pattern" in bad.error


def test_json_valid_is_strict():
    assert run(JsonValidScorer(), ' {"a": 1}\n').value == 1.0
    assert run(JsonValidScorer(), "[1, 2]").value == 1.0
    fenced = run(JsonValidScorer(), '```json\n{"a": 1}\n```')
    assert fenced.value == 0.0
    assert fenced.detail["reason"]
    assert run(JsonValidScorer(), 'Sure! {"a": 1}').value == 0.0
    assert run(JsonValidScorer(), "").value == 0.0


SCHEMA = {
    "type": "object",
    "required": ["people", "places"],
    "properties": {"people": {"type": "array", "items": {"type": "string"}}},
}


def test_json_schema_scores_conforming_output_and_names_the_violation():
    good = '{"people": ["Ada"], "places": []}'
    assert run(JsonSchemaScorer(schema=SCHEMA), good).value == 1.0
    result = run(JsonSchemaScorer(schema=SCHEMA), '{"people": [1], "places": []}')
    assert result.value == 0.0
    assert result.detail["path"] == "$.people[0]"
    assert "is not of type 'string'" in result.detail["message"]
    missing = run(JsonSchemaScorer(schema=SCHEMA), '{"people": []}')
    assert "'places' is a required property" in missing.detail["message"]


def test_json_schema_cannot_score():
    not_json = run(JsonSchemaScorer(schema=SCHEMA), "people: Ada")
    assert (not_json.value, "not valid JSON" in not_json.error) == (0.0, True)
    broken = run(JsonSchemaScorer(schema={"type": "nonsense"}), "{}")
    assert (broken.value, "invalid schema" in broken.error) == (0.0, True)


def test_json_f1_scores_the_overlap_of_the_field_lists():
    output = '{"people": ["ada lovelace ", "Alan Turing"]}'
    result = run(JsonF1Scorer(field="people"), output)
    assert result.value == pytest.approx(0.5)
    assert result.detail["precision"] == 0.5
    assert result.detail["recall"] == 0.5
    assert result.detail["missing"] == ["charles babbage"]
    assert result.detail["extra"] == ["alan turing"]
    perfect = '{"people": ["Charles Babbage", "Ada Lovelace"]}'
    assert run(JsonF1Scorer(field="people"), perfect).value == 1.0
    strict = JsonF1Scorer(field="people", ignore_case=False)
    assert run(strict, '{"people": ["ada lovelace"]}').value == 0.0


def test_json_f1_edge_cases():
    empty = ctx({"people": []})
    assert run(JsonF1Scorer(field="people"), '{"people": []}', empty).value == 1.0
    assert run(JsonF1Scorer(field="people"), '{"people": ["x"]}', empty).value == 0.0
    assert run(JsonF1Scorer(field="city"), '{"city": "London"}').value == 1.0


@pytest.mark.parametrize(
    ("output", "fragment"),
    [
        ("Ada, Babbage", "not valid JSON"),
        ('["Ada"]', "not an object"),
        ('{"names": ["Ada"]}', 'no "people"'),
    ],
)
def test_json_f1_cannot_score(output, fragment):
    result = run(JsonF1Scorer(field="people"), output)
    assert result.value == 0.0
    assert fragment in result.error


def test_json_scorers_use_the_engines_parsed_output():
    context = ctx(output_json={"people": ["Ada Lovelace", "Charles Babbage"]})
    fenced = '```json\n{"people": ["Ada Lovelace", "Charles Babbage"]}\n```'
    assert run(JsonF1Scorer(field="people"), fenced, context).value == 1.0


def test_similarity_grows_with_closeness_to_the_expected_value():
    assert run(SimilarityScorer(value="London"), "London").value == 1.0
    close = run(SimilarityScorer(value="London"), "Londn").value
    assert 0.5 < close < 1.0
    assert run(SimilarityScorer(value="London"), "").value == 0.0
    assert run(SimilarityScorer(), "Paris", ctx("Paris")).value == 1.0
    as_json = run(SimilarityScorer(), '{"a": 1}', ctx({"a": 1})).value
    assert as_json == 1.0
    by_field = run(SimilarityScorer(field="city"), '{"city": "London!"}').value
    assert 0.9 < by_field < 1.0


def test_similarity_cannot_score():
    assert "nothing to compare" in run(SimilarityScorer(), "x", ctx(None)).error
    assert "not valid JSON" in run(SimilarityScorer(field="city"), "London").error


def test_length_scores_output_within_bounds_in_chars_or_words():
    assert run(LengthScorer(min=3, max=10), "  hello  ").value == 1.0
    too_long = run(LengthScorer(max=3), "hello")
    assert too_long.value == 0.0
    assert too_long.detail == {"length": 5, "unit": "chars", "min": None, "max": 3}
    assert run(LengthScorer(min=2, unit="words"), "one two").value == 1.0
    assert run(LengthScorer(min=3, unit="words"), "one two").value == 0.0
    assert run(LengthScorer(), "").value == 1.0


def test_latency_scores_runs_within_max_ms():
    assert run(LatencyScorer(max_ms=500), "x", ctx(latency_ms=499.0)).value == 1.0
    assert run(LatencyScorer(max_ms=500), "x", ctx(latency_ms=500.5)).value == 0.0
    unknown = run(LatencyScorer(max_ms=500), "x", ctx(latency_ms=None))
    assert (unknown.value, unknown.error) == (0.0, "latency unknown")


def test_cost_scores_runs_within_max_usd_and_unpriced_ones_as_free():
    assert run(CostScorer(max_usd=0.01), "x", ctx(cost=0.001)).value == 1.0
    assert run(CostScorer(max_usd=0.01), "x", ctx(cost=0.02)).value == 0.0
    free = run(CostScorer(max_usd=0.01), "x", ctx(cost=None))
    assert (free.value, free.detail["cost"], free.error) == (1.0, None, "")


ALL_SCORERS = [
    ExactMatchScorer(value="{{ expected.city }}"),
    ContainsScorer(values=["a", "b"], mode="all"),
    IContainsScorer(value="x"),
    RegexScorer(pattern="[a-z]+", flags="i"),
    JsonValidScorer(),
    JsonSchemaScorer(schema=SCHEMA),
    JsonF1Scorer(field="people"),
    SimilarityScorer(),
    LengthScorer(min=1, max=5),
    LatencyScorer(max_ms=1),
    CostScorer(max_usd=0),
]
ODD_OUTPUTS = ["", " ", "null", "{}", '{"people": null}', "[]", "\x00\ud800", "9" * 400]


@pytest.mark.parametrize("scorer", ALL_SCORERS, ids=lambda s: s.type)
@pytest.mark.parametrize("output", ODD_OUTPUTS)
def test_odd_outputs_never_raise(scorer, output):
    for context in (ctx(), ctx(None), ctx("plain"), ScoreContext()):
        result = scorer.score({}, output, context)
        assert 0.0 <= result.value <= 1.0
        assert not math.isnan(result.value)
        assert isinstance(result.error, str)


def test_a_none_output_scores_like_an_empty_one():
    assert run(LengthScorer(max=0), None).value == 1.0
