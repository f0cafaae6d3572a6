"""Pipelines in the spec: the stages form, its errors, and its configs."""

from __future__ import annotations

import pytest

from experiments.engine import planner
from experiments.spec import validate_spec
from experiments.tests.factories import spec_doc


def pipeline_doc(**overrides) -> dict:
    """spec_doc's items and endpoint, as a two-stage pipeline."""
    doc = spec_doc()
    for key in ("prompts", "models", "params", "scorers"):
        del doc[key]
    doc["stages"] = [
        {
            "name": "extract",
            "prompts": [
                {"name": "terse", "template": "{{ passage }}"},
                {"name": "careful", "template": "Carefully: {{ passage }}"},
            ],
            "models": [{"endpoint": "local", "model": "m1"}],
            "params": {"temperature": [0.0, 0.7]},
        },
        {
            "name": "normalise",
            "prompts": [
                {"name": "to-json", "template": "JSON of {{ stages.extract.output }}"},
                {
                    "name": "people",
                    "messages": [
                        {"role": "system", "content": "{{ expected.people[0] }}"},
                        {"role": "user", "content": "{{ stages.extract.json.p }}"},
                    ],
                },
            ],
            "models": [{"endpoint": "local", "model": "m2"}],
            "params": {"max_tokens": 64},
            "scorers": [
                {"type": "json_valid", "weight": 1},
                {"type": "json_valid", "name": "unweighted"},
            ],
        },
    ]
    doc["scorers"] = [{"type": "json_f1", "field": "people", "weight": 2}]
    doc.update(overrides)
    return doc


def errors_of(doc) -> dict[str, str]:
    result = validate_spec(doc)
    assert not result.ok, "expected the spec to be invalid"
    return {e.path: e.message for e in result.errors}


def test_a_pipeline_validates_and_counts_configs_over_every_stage():
    result = validate_spec(pipeline_doc())
    assert result.ok, result.errors
    # extract: 2 prompts x 2 temperatures; normalise: 2 prompts
    assert (result.configs, result.runs) == (8, 16)
    spec = result.spec
    assert [s["name"] for s in spec["stages"]] == ["extract", "normalise"]
    assert [p["name"] for p in spec["prompts"]] == [
        "terse",
        "careful",
        "to-json",
        "people",
    ]
    assert "params" not in spec
    # A stage's scorers are named after it and count only when weighted.
    assert [(s["name"], s["weight"]) for s in spec["stages"][1]["scorers"]] == [
        ("normalise.json_valid", 1),
        ("normalise.unweighted", 0.0),
    ]


def test_the_single_stage_form_is_one_stage_named_main():
    spec = validate_spec(spec_doc()).spec
    (stage,) = spec["stages"]
    assert stage["name"] == "main"
    assert stage["prompts"] == spec["prompts"] and stage["params"] == spec["params"]
    assert stage["scorers"] == []


def test_both_forms_at_once_are_refused():
    doc = pipeline_doc(prompts=[{"name": "x", "template": "hi"}], params={})
    errors = errors_of(doc)
    assert "not both" in errors["prompts"] and "not both" in errors["params"]


def test_a_spec_without_either_form_names_prompts_and_models():
    doc = spec_doc()
    del doc["prompts"], doc["models"]
    assert errors_of(doc) == {
        "prompts": "required field is missing",
        "models": "required field is missing",
    }


def test_stage_errors_have_stage_paths():
    doc = pipeline_doc()
    doc["stages"][1]["prompts"][0]["template"] = "{{ missing_var }}"
    doc["stages"][1]["models"][0]["endpoint"] = "nowhere"
    doc["stages"][1]["params"]["stream"] = True
    doc["stages"][0]["name"] = "1st"
    errors = errors_of(doc)
    assert 'variable "missing_var"' in errors["stages[1].prompts[0].template"]
    assert "unknown endpoint" in errors["stages[1].models[0].endpoint"]
    assert "streaming" in errors["stages[1].params.stream"]
    assert "stage name" in errors["stages[0].name"]


def test_a_stage_cannot_be_named_like_a_mapping_method():
    doc = pipeline_doc()
    doc["stages"][0]["name"] = "items"
    assert errors_of(doc)["stages[0].name"] == '"items" is reserved; rename it'


def test_a_later_or_unknown_stage_is_named():
    doc = pipeline_doc()
    doc["stages"][0]["prompts"][0]["template"] = "{{ stages.normalise.output }}"
    doc["stages"][1]["prompts"][0]["template"] = "{{ stages.extrakt.output }}"
    errors = errors_of(doc)
    assert errors["stages[0].prompts[0].template"].startswith(
        'stage "normalise" is not an earlier stage'
    )
    assert errors["stages[1].prompts[0].template"] == (
        'unknown stage "extrakt" (earlier stages: extract)'
    )


def test_only_output_and_json_of_a_stage_can_be_read():
    doc = pipeline_doc()
    doc["stages"][1]["prompts"][0]["template"] = "{{ stages.extract.text }}"
    doc["stages"][1]["prompts"][1]["messages"][1]["content"] = "{{ stages }}"
    errors = errors_of(doc)
    assert "stages.<name>.output" in errors["stages[1].prompts[0].template"]
    assert "stages.<name>.output" in errors["stages[1].prompts[1].messages[1].content"]


def test_stage_names_and_prompt_names_are_unique():
    doc = pipeline_doc()
    doc["stages"][1]["name"] = "extract"
    doc["stages"][1]["prompts"][0]["name"] = "terse"
    doc["stages"][1]["prompts"][0]["template"] = "hi"
    doc["stages"][1]["prompts"][1]["messages"][1]["content"] = "hi"
    errors = errors_of(doc)
    assert errors["stages[1].name"] == 'duplicate stage name "extract"'
    assert errors["stages[1].prompts[0].name"] == 'duplicate prompt name "terse"'


def test_pipeline_configs_are_one_choice_per_stage():
    spec = validate_spec(pipeline_doc()).spec
    configs = planner.configs(spec)
    assert len(configs) == 8 and len({c.hash for c in configs}) == 8
    first = configs[0].as_dict()
    assert [s["name"] for s in first["stages"]] == ["extract", "normalise"]
    # The top-level fields are the last stage's choice.
    assert (first["prompt"], first["model"]) == ("to-json", "m2")
    # Random search decodes the same configs as the grid enumerates.
    assert [planner.config_at(spec, i) for i in range(8)] == configs


def test_single_stage_configs_keep_their_keys_and_hashes():
    config = planner.configs(validate_spec(spec_doc()).spec)[0]
    assert set(config.as_dict()) == {"prompt", "endpoint", "model", "params"}
    legacy = {k: v for k, v in validate_spec(spec_doc()).spec.items()}
    del legacy["stages"]  # a spec stored before pipelines
    assert planner.configs(legacy) == planner.configs(validate_spec(spec_doc()).spec)


def test_sweep_size_limits_count_pipeline_configs():
    from experiments.spec import SpecContext

    result = validate_spec(pipeline_doc(), SpecContext(max_configs=7))
    assert not result.ok
    assert "8 configs" in str(result.errors[0])
    assert "per stage" in str(result.errors[0])


def test_the_cost_estimate_counts_a_stage_call_once_per_earlier_choice():
    doc = pipeline_doc()
    doc["endpoints"][0]["prices"] = {
        "m2": {"input_per_mtok": 0, "output_per_mtok": 1_000_000}
    }
    result = validate_spec(doc)
    # normalise: 2 prompts x 4 extract choices x 2 items = 16 calls of 64 tokens
    assert result.estimated_cost == pytest.approx(16 * 64)
    assert result.unpriced_models == ["local/m1"]
