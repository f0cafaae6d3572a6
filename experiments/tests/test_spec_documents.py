"""The spec as a whole document: only JSON (YAML can say more), no NUL
characters, the normalised form it is stored in, and what an invalid spec
reports (no counts, no summary)."""

from __future__ import annotations

from experiments.spec import validate_spec
from experiments.tests.factories import spec_doc

NUL = "must not contain a NUL character (\\x00)"


def errors_of(doc) -> dict[str, str]:
    result = validate_spec(doc)
    assert not result.ok, "expected the spec to be invalid"
    return {e.path: e.message for e in result.errors}


def test_a_number_as_a_key_of_an_items_input_is_refused_at_the_input():
    # YAML reads `1: Ada` as an integer key; JSON (and the stored spec) cannot.
    doc = spec_doc()
    doc["dataset"]["items"][0]["input"][1] = "Ada"
    assert errors_of(doc)["dataset.items[0].input"] == "key 1 is not a string"


def test_a_nul_in_a_key_is_refused_at_that_key_shown_escaped():
    doc = spec_doc()
    doc["dataset"]["items"][1]["input"]["pass\x00age"] = "x"
    assert errors_of(doc) == {"dataset.items[1].input.pass\\x00age": NUL}


def test_a_nul_in_a_value_is_refused_at_its_path():
    doc = spec_doc()
    doc["dataset"]["items"][0]["expected"]["people"][1] = "Char\x00les"
    assert errors_of(doc) == {"dataset.items[0].expected.people[1]": NUL}


def test_the_normalised_spec_is_version_1_with_its_defaults():
    # Stored specs are read by their version; the defaults are the documented
    # ones (docs/spec.md).
    spec = validate_spec(spec_doc()).spec
    assert spec["version"] == 1
    assert (spec["samples"], spec["concurrency"], spec["description"]) == (1, 16, "")
    assert spec["strategy"]["seed"] == 0


def test_an_invalid_spec_reports_no_counts_and_no_spec():
    result = validate_spec(spec_doc(samples=0))
    assert not result.ok
    assert (result.configs, result.samples, result.runs) == (0, 0, 0)
    assert (result.spec, result.items, result.estimated_cost) == (None, [], None)


def test_a_fully_priced_spec_summary_names_no_unpriced_model():
    doc = spec_doc()
    price = {"input_per_mtok": 1.0, "output_per_mtok": 2.0}
    doc["endpoints"][0]["prices"] = {"m1": price, "m2": price}
    result = validate_spec(doc)
    assert result.unpriced_models == []
    assert result.summary().endswith(f"est. cost ${result.estimated_cost:.4f}")
