"""What a valid spec adds up to before it runs: the estimated cost (prompt
tokens ~ rendered characters / 4, completion tokens = max_tokens or a
typical 256), with stored endpoints' prices, and a budget's share."""

from __future__ import annotations

import pytest

from experiments.spec import SpecContext, validate_spec
from experiments.tests.factories import spec_doc

DOLLAR_PER_INPUT_TOKEN = {"input_per_mtok": 1_000_000, "output_per_mtok": 0}
DOLLAR_PER_OUTPUT_TOKEN = {"input_per_mtok": 0, "output_per_mtok": 1_000_000}


def one_prompt_doc(prompt: dict, price: dict, **overrides) -> dict:
    """One prompt on one priced model, no param axes: 1 config x 2 items."""
    doc = spec_doc(
        prompts=[{"name": "p", **prompt}],
        models=[{"endpoint": "local", "model": "m1"}],
        params={},
        **overrides,
    )
    doc["endpoints"][0]["prices"] = {"m1": price}
    return doc


def test_prompt_tokens_are_the_mean_rendered_characters_over_4():
    # 8 characters, then "Ada met Charles in London." (26) and
    # "Marie worked in Paris." (22): means 8 + 24 = 32 chars, 8 tokens.
    doc = one_prompt_doc({"template": "Passage:{{ passage }}"}, DOLLAR_PER_INPUT_TOKEN)
    result = validate_spec(doc)
    assert result.runs == 2
    assert result.estimated_cost == pytest.approx(2 * 8)


def test_every_message_of_a_prompt_counts():
    prompt = {
        "messages": [
            {"role": "system", "content": "12345678"},
            {"role": "user", "content": "Passage:{{ passage }}"},
        ]
    }
    result = validate_spec(one_prompt_doc(prompt, DOLLAR_PER_INPUT_TOKEN))
    assert result.estimated_cost == pytest.approx(2 * (8 + 32) / 4)


def test_completion_tokens_are_256_unless_max_tokens_is_swept():
    doc = one_prompt_doc({"template": "{{ passage }}"}, DOLLAR_PER_OUTPUT_TOKEN)
    assert validate_spec(doc).estimated_cost == pytest.approx(2 * 256)
    doc["params"] = {"max_tokens": [10, 30]}  # two configs, 20 on average
    assert validate_spec(doc).estimated_cost == pytest.approx(2 * 2 * 20)


def test_a_budget_pays_for_its_share_of_the_runs():
    doc = one_prompt_doc(
        {"template": "{{ passage }}"},
        DOLLAR_PER_OUTPUT_TOKEN,
        strategy={"type": "random", "budget": 1},
    )
    result = validate_spec(doc)
    assert result.runs == 1
    assert result.estimated_cost == pytest.approx(256)


def test_a_stored_endpoints_prices_count():
    doc = one_prompt_doc({"template": "{{ passage }}"}, {})
    doc["models"] = [{"endpoint": "shared", "model": "m1"}]
    context = SpecContext(
        endpoints={"shared": {"prices": {"m1": DOLLAR_PER_OUTPUT_TOKEN}}}
    )
    result = validate_spec(doc, context)
    assert result.ok, result.errors
    assert (result.estimated_cost, result.unpriced_models) == (
        pytest.approx(2 * 256),
        [],
    )


def test_a_stored_endpoint_without_prices_is_unpriced():
    doc = one_prompt_doc({"template": "{{ passage }}"}, {})
    doc["models"] = [{"endpoint": "shared", "model": "m1"}]
    result = validate_spec(doc, SpecContext(endpoints={"shared": {"prices": None}}))
    assert (result.estimated_cost, result.unpriced_models) == (None, ["shared/m1"])
