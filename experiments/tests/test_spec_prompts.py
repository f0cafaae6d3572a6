"""A spec's prompts, models and param axes, in the single-stage form and in
a pipeline's stages: one error for one bad field, never a crash."""

from __future__ import annotations

from experiments.spec import validate_spec
from experiments.tests.factories import spec_doc
from experiments.tests.test_spec_stages import pipeline_doc


def errors_of(doc) -> dict[str, str]:
    result = validate_spec(doc)
    assert not result.ok, "expected the spec to be invalid"
    return {e.path: e.message for e in result.errors}


def test_a_prompt_needs_exactly_one_of_messages_or_template():
    doc = spec_doc()
    doc["prompts"][0]["template"] = "{{ passage }}"  # it has messages too
    del doc["prompts"][1]["template"]  # and this one has neither
    assert errors_of(doc) == {
        "prompts[0]": "give exactly one of messages or template",
        "prompts[1]": "give exactly one of messages or template",
    }


def test_a_spec_without_params_has_one_config_per_prompt_and_model():
    doc = spec_doc()
    del doc["params"]
    result = validate_spec(doc)
    assert result.ok, result.errors
    assert result.spec["params"] == {}
    assert (result.configs, result.runs) == (4, 8)


def test_a_stage_without_params_has_none():
    doc = pipeline_doc()
    del doc["stages"][1]["params"]
    result = validate_spec(doc)
    assert result.ok, result.errors
    assert result.spec["stages"][1]["params"] == {}
    assert result.configs == 4 * 2


def test_a_bad_scorer_of_a_stage_is_an_error_never_a_crash():
    doc = pipeline_doc()
    doc["stages"][1]["scorers"].insert(0, {"type": "nope"})
    assert list(errors_of(doc)) == ["stages[1].scorers[0].type"]


def test_a_stage_scorers_weight_is_its_own():
    doc = pipeline_doc()
    doc["stages"][0]["scorers"] = [
        {"type": "json_valid", "name": "a"},
        {"type": "json_valid", "name": "b", "weight": 2},
    ]
    stage = validate_spec(doc).spec["stages"][0]
    assert [(s["name"], s["weight"]) for s in stage["scorers"]] == [
        ("extract.a", 0.0),
        ("extract.b", 2),
    ]


def test_one_axis_value_in_a_list_or_alone_is_the_same_axis():
    alone = validate_spec(spec_doc(params={"temperature": 0.5})).spec
    listed = validate_spec(spec_doc(params={"temperature": [0.5]})).spec
    assert alone["params"] == listed["params"] == {"temperature": [0.5]}


def test_one_and_one_point_zero_are_the_same_axis_value():
    errors = errors_of(spec_doc(params={"seed": [1, 1.0]}))
    assert errors == {"params.seed": "an axis lists the same value twice"}


def test_two_different_non_json_values_are_not_called_the_same():
    import datetime

    days = [datetime.date(2024, 1, 1), datetime.date(2024, 1, 2)]
    errors = errors_of(spec_doc(params={"x_day": days}))  # not a known param
    assert set(errors) == {"params.x_day[0]", "params.x_day[1]"}


def test_a_known_params_bad_value_is_refused_at_the_axis():
    errors = errors_of(spec_doc(params={"temperature": [0.5, 3]}))
    assert list(errors) == ["params.temperature"]
    assert "3" in errors["params.temperature"]


def test_the_model_is_set_by_models_not_params():
    assert errors_of(spec_doc(params={"model": "m9"})) == {
        "params.model": "model is set by the spec's models/prompts, not params"
    }
