"""A template in a spec is checked before anything runs: its syntax (filters
included), each variable against every item (naming the first item without
it and what that item has), and a render for every item within one shared
time allowance."""

from __future__ import annotations

import time

import pytest

from experiments.spec import SpecContext, validate_spec
from experiments.spec.validator.base import Checker
from experiments.tests.factories import spec_doc


def errors_of(doc) -> dict[str, str]:
    result = validate_spec(doc)
    assert not result.ok, "expected the spec to be invalid"
    return {e.path: e.message for e in result.errors}


def test_an_unknown_filter_is_a_syntax_error():
    doc = spec_doc()
    doc["prompts"][1]["template"] = "{{ passage|shout }}"
    assert errors_of(doc) == {
        "prompts[1].template": "template syntax error at line 1: "
        "No filter named 'shout'."
    }


def test_a_missing_variable_names_the_first_item_without_it_and_its_keys():
    doc = spec_doc()
    doc["dataset"]["items"] = [
        {"input": {"passage": "Ada"}},
        {"input": {"text": "Grace"}},
        {"input": {}},
    ]
    errors = errors_of(doc)
    assert errors["prompts[1].template"] == (
        'variable "passage" is not in 2 of 3 items (first: item 2, which has: text)'
    )
    doc["dataset"]["items"] = [{"input": {"passage": "Ada"}}, {"input": {}}]
    assert errors_of(doc)["prompts[1].template"] == (
        'variable "passage" is not in 1 of 2 items (first: item 2, which has: no keys)'
    )


def test_a_template_with_loops_validates_within_the_allowance():
    # A loop looks at the clock: the shared allowance starts now, not before.
    doc = spec_doc()
    doc["prompts"][1]["template"] = "{% for i in range(200) %}{% endfor %}{{ passage }}"
    assert validate_spec(doc).ok


def test_a_render_error_names_the_first_item_it_fails_for():
    doc = spec_doc()
    doc["dataset"]["items"][1]["expected"] = {"people": []}
    doc["prompts"][1]["template"] = "{{ passage }} {{ expected.people[0] }}"
    errors = errors_of(doc)
    assert errors["prompts[1].template"].startswith("cannot render for item 2: ")


def test_the_allowance_is_the_setting_in_milliseconds_from_the_first_render(
    settings,
):
    settings.TEMPLATE_VALIDATE_MS = 1_000_000
    check = Checker(spec_doc(), SpecContext(), [])
    started = time.monotonic()
    deadline = check.render_deadline()
    assert deadline - started == pytest.approx(1000.0, abs=0.5)
    # One allowance for the whole spec: asked again, the same deadline.
    settings.TEMPLATE_VALIDATE_MS = 1
    assert check.render_deadline() == deadline
