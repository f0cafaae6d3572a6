"""What a pipeline stage's template may read of earlier stages: only
``stages.<name>.output`` or ``.json`` (attribute or subscript), and only of
an earlier stage; and which scorers a pipeline has."""

from __future__ import annotations

import pytest

from experiments.spec import templates, validate_spec
from experiments.spec.stages import all_scorers, ref_problem, stage_refs, stages_of
from experiments.tests.test_spec_stages import pipeline_doc

SHAPE = "refer to an earlier stage as stages.<name>.output or stages.<name>.json"


def refs_of(source: str) -> tuple[set[tuple[str, str]], list[str]]:
    return stage_refs(templates.parse_template(source))


def test_attribute_and_subscript_references_are_found():
    source = (
        "{{ stages.extract.output }} {{ stages['clean']['json'].people }}"
        "{% for p in stages.extract.json %}{{ p }}{% endfor %}"
    )
    assert refs_of(source) == (
        {("extract", "output"), ("clean", "json"), ("extract", "json")},
        [],
    )


@pytest.mark.parametrize(
    "source",
    [
        "{{ stages }}",
        "{{ stages.extract }}",
        "{{ stages.extract.text }}",
        "{{ stages[name].output }}",
        "{{ stages.extract[field] }}",
        "{% set s = stages %}{{ s.extract.output }}",
    ],
)
def test_anything_but_a_static_stage_and_field_is_a_problem(source):
    assert refs_of(source) == (set(), [SHAPE])


def test_other_names_are_not_stage_references():
    assert refs_of("{{ item.stages }} {{ stage.output }} {{ passage }}") == (
        set(),
        [],
    )


def test_each_reference_is_checked_against_the_earlier_stages():
    every = ["extract", "clean", "final"]
    assert ref_problem("extract", ["extract"], every) is None
    assert ref_problem("final", ["extract"], every) == (
        'stage "final" is not an earlier stage; a template can use the results '
        "of earlier stages only"
    )
    assert ref_problem("x", [], every) == 'unknown stage "x" (earlier stages: none)'
    assert ref_problem("x", ["extract", "clean"], every) == (
        'unknown stage "x" (earlier stages: extract, clean)'
    )


def test_a_first_stage_reading_a_stage_is_told_there_is_none_earlier():
    doc = pipeline_doc()
    doc["stages"][0]["prompts"][0]["template"] = "{{ stages.nowhere.output }}"
    errors = {e.path: e.message for e in validate_spec(doc).errors}
    assert errors == {
        "stages[0].prompts[0].template": 'unknown stage "nowhere" (earlier stages: '
        "none)"
    }


def test_a_pipeline_has_its_final_scorers_and_every_stages_own():
    spec = validate_spec(pipeline_doc()).spec
    assert [s["name"] for s in all_scorers(spec)] == [
        "json_f1:people",
        "normalise.json_valid",
        "normalise.unweighted",
    ]
    assert stages_of(spec) is spec["stages"]
