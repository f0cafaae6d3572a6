"""Strict JSON of outputs: one parser for the engine's ``output_json`` and
the JSON scorers, so they never disagree about what is JSON."""

from __future__ import annotations

import pytest

from scoring.base import ScoreContext
from scoring.builtins_json import JsonValidScorer
from scoring.strict_json import loads_output, output_json


@pytest.mark.parametrize(
    "text", ["NaN", '{"x": Infinity}', "[-Infinity]", "```json\n{}\n```", "{} x", ""]
)
def test_what_is_not_strict_json_is_neither_parsed_nor_valid(text):
    assert output_json(text) is None
    with pytest.raises(ValueError):
        loads_output(text)
    assert JsonValidScorer().score({}, text, ScoreContext()).value == 0.0


def test_nesting_beyond_the_parser_is_not_json_rather_than_a_crash():
    deep = "[" * 100_000 + "]" * 100_000
    assert output_json(deep) is None
    assert JsonValidScorer().score({}, deep, ScoreContext()).value == 0.0


def test_whitespace_around_one_json_value_is_allowed():
    assert output_json('  {"a": [1, 2.5]}\n') == {"a": [1, 2.5]}
    assert JsonValidScorer().score({}, ' {"a": 1} ', ScoreContext()).value == 1.0
