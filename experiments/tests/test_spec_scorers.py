"""A spec's scorers: options checked by the scorer type's own schema, a
weight of 1 unless given, the templates among the options checked against
every item, and a judge's request parameters."""

from __future__ import annotations

from typing import ClassVar

import pytest

from experiments.spec import validate_spec
from experiments.tests.factories import spec_doc
from scoring.base import BaseScorer, ScoreContext, ScoreResult
from scoring.registry import scorer_classes

JUDGE = {"type": "llm_judge", "endpoint": "local", "model": "j", "rubric": "0-10"}


def errors_of(doc) -> dict[str, str]:
    result = validate_spec(doc)
    assert not result.ok, "expected the spec to be invalid"
    return {e.path: e.message for e in result.errors}


def test_a_final_scorer_weighs_1_unless_weighted():
    scorers = [{"type": "json_valid"}, {"type": "json_f1", "field": "people"}]
    scorers[1]["weight"] = 3
    spec = validate_spec(spec_doc(scorers=scorers)).spec
    assert [(s["name"], s["weight"]) for s in spec["scorers"]] == [
        ("json_valid", 1.0),
        ("json_f1:people", 3),
    ]


def test_both_of_a_one_of_group_are_refused():
    scorer = {"type": "contains", "value": "Ada", "values": ["Ada"]}
    assert errors_of(spec_doc(scorers=[scorer])) == {
        "scorers[0]": "give exactly one of value or values"
    }


def test_each_template_of_a_list_option_is_checked_at_its_index():
    scorer = {"type": "contains", "values": ["{{ passage }}", "{{ pasage }}"]}
    errors = errors_of(spec_doc(scorers=[scorer]))
    assert list(errors) == ["scorers[0].values[1]"]
    assert errors["scorers[0].values[1]"].startswith('variable "pasage" is not in')


def test_a_judges_endpoint_may_be_a_stored_one():
    from experiments.spec import SpecContext

    judge = {**JUDGE, "endpoint": "judges"}
    context = SpecContext(endpoints={"judges": {"prices": {}}})
    assert validate_spec(spec_doc(scorers=[judge]), context).ok


@pytest.mark.parametrize(
    ("params", "path", "message"),
    [
        (
            {"stream": True},
            "scorers[0].params.stream",
            "streaming is not supported; responses are read whole",
        ),
        (
            {"messages": []},
            "scorers[0].params.messages",
            "messages is set by the scorer's model and rubric",
        ),
        (
            {"model": "other"},
            "scorers[0].params.model",
            "model is set by the scorer's model and rubric",
        ),
    ],
)
def test_a_judges_params_cannot_set_what_the_judge_sets(params, path, message):
    assert errors_of(spec_doc(scorers=[{**JUDGE, "params": params}])) == {path: message}


def test_a_judges_param_value_is_checked_as_one_value():
    judge = {**JUDGE, "params": {"temperature": 0.0, "max_tokens": 0}}
    errors = errors_of(spec_doc(scorers=[judge]))
    assert list(errors) == ["scorers[0].params.max_tokens"]
    assert validate_spec(spec_doc(scorers=[{**JUDGE, "params": {"seed": 3}}])).ok


def test_a_judges_non_json_param_gets_one_error():
    judge = {**JUDGE, "params": {"temperature": float("nan")}}
    assert errors_of(spec_doc(scorers=[judge])) == {
        "scorers[0].params.temperature": "must be a finite number"
    }


class OneOfThreeScorer(BaseScorer):
    """A custom scorer that takes exactly one of three options."""

    type = "one_of_three"
    options: ClassVar[dict] = {k: {"type": "string"} for k in ("a", "b", "c")}
    one_of_required: ClassVar[list[str]] = ["a", "b", "c"]

    def score(self, input: dict, output: str, context: ScoreContext) -> ScoreResult:
        return ScoreResult(1.0)


def test_a_custom_scorer_takes_exactly_one_of_its_group_of_options(settings):
    settings.PROMPTLOOPER_SCORERS = [f"{__name__}.OneOfThreeScorer"]
    scorer_classes.cache_clear()
    try:
        one = spec_doc(scorers=[{"type": "one_of_three", "b": "x"}])
        assert validate_spec(one).ok
        two = spec_doc(scorers=[{"type": "one_of_three", "a": "x", "c": "y"}])
        assert errors_of(two) == {"scorers[0]": "give exactly one of a or b or c"}
    finally:
        scorer_classes.cache_clear()
