"""The spec validator: every error at once, each with its field path."""

from __future__ import annotations

import copy
import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from experiments.dataset_io import ItemData
from experiments.spec import SpecContext, SpecInvalid, parse_spec_text, validate_spec
from experiments.tests.factories import spec_doc

REPO = Path(__file__).resolve().parents[2]


def errors_of(doc, context=None) -> dict[str, str]:
    result = validate_spec(doc, context)
    assert not result.ok, "expected the spec to be invalid"
    return {e.path: e.message for e in result.errors}


def test_valid_spec_counts_runs_and_normalises():
    result = validate_spec(spec_doc())
    assert result.ok, result.errors
    # 2 prompts x 2 models x 2 temperatures, 2 items, 1 sample
    assert (result.configs, len(result.items), result.samples) == (8, 2, 1)
    assert result.runs == 16
    spec = result.spec
    assert spec["params"] == {"temperature": [0.0, 0.7], "max_tokens": [64]}
    assert spec["prompts"][1]["messages"] == [
        {"role": "user", "content": "Text: {{ passage }}\nJSON:"}
    ]
    assert spec["strategy"] == {
        "type": "grid",
        "budget": None,
        "seed": 0,
        "objectives": ["score"],
    }
    assert spec["endpoints"][0]["max_concurrency"] == 8
    assert [s["name"] for s in spec["scorers"]] == ["json_valid", "json_f1:people"]
    assert result.summary().startswith("8 configs x 2 items x 1 samples = 16 runs")


def test_demo_spec_validates_against_the_demo_dataset():
    from experiments.dataset_io import load_dataset_file

    items = load_dataset_file(REPO / "examples" / "data" / "passages.jsonl")
    document = parse_spec_text(
        (REPO / "examples" / "entity-extraction.yaml").read_text()
    )
    context = SpecContext(
        datasets=lambda name: items if name == "demo-passages" else None
    )
    result = validate_spec(document, context)
    assert result.ok, result.errors
    assert result.runs == result.configs * len(items)


def test_estimated_cost_uses_prices_and_names_unpriced_models():
    doc = spec_doc()
    doc["endpoints"][0]["prices"] = {
        "m1": {"input_per_mtok": 1.0, "output_per_mtok": 2.0}
    }
    result = validate_spec(doc)
    assert result.ok
    assert result.unpriced_models == ["local/m2"]
    # m1 runs: 2 prompts x 2 temps x 2 items = 8, each at most 64 output tokens.
    output_cost = 8 * 64 * 2.0 / 1e6
    assert output_cost < result.estimated_cost < output_cost + 8 * 100 * 1.0 / 1e6
    assert "no prices for local/m2" in result.summary()


def test_no_prices_means_no_estimate():
    result = validate_spec(spec_doc())
    assert result.estimated_cost is None
    assert "n/a" in result.summary()


def test_budget_caps_grid_and_sets_random_runs():
    assert validate_spec(spec_doc(strategy={"budget": 5})).runs == 5
    result = validate_spec(
        spec_doc(strategy={"type": "random", "budget": 3, "seed": 1})
    )
    assert result.ok and result.runs == 3


def test_missing_required_fields_are_each_named():
    assert errors_of({}) == {
        "name": "required field is missing",
        "dataset": "required field is missing",
        "prompts": "required field is missing",
        "models": "required field is missing",
    }


def test_a_document_that_is_not_a_mapping_is_refused():
    assert errors_of(["a", "list"]) == {"": "must be an object, got a list"}


def test_nested_paths_point_at_the_bad_field():
    doc = spec_doc()
    doc["prompts"][0]["messages"][1]["role"] = "robot"
    doc["prompts"][1]["template"] = 42
    doc["models"][1]["model"] = ""
    errors = errors_of(doc)
    assert errors["prompts[0].messages[1].role"] == (
        "must be one of: system, user, assistant"
    )
    assert errors["prompts[1].template"] == "must be a string, got an integer"
    assert errors["models[1].model"] == "must not be empty"


def test_unknown_fields_are_named_with_what_is_allowed():
    errors = errors_of(spec_doc(temprature=0.5))
    assert errors["temprature"].startswith("unknown field (allowed: concurrency,")


def test_template_naming_a_missing_variable_names_template_and_variable():
    doc = spec_doc()
    doc["prompts"][0]["messages"][1]["content"] = "{{ pasage }}"
    errors = errors_of(doc)
    message = errors["prompts[0].messages[1].content"]
    assert 'variable "pasage"' in message
    assert "2 of 2 items" in message and "passage" in message


def test_variable_missing_from_some_items_is_an_error():
    doc = spec_doc()
    doc["dataset"]["items"].append({"input": {"text": "no passage here"}})
    errors = errors_of(doc)
    assert "1 of 3 items (first: item 3" in errors["prompts[0].messages[1].content"]


def test_nested_expected_lookup_checked_on_every_item():
    doc = spec_doc(scorers=[{"type": "contains", "value": "{{ expected.places[1] }}"}])
    errors = errors_of(doc)
    assert errors["scorers[0].value"].startswith("cannot render for item 1")


def test_template_syntax_error_reports_line():
    doc = spec_doc()
    doc["prompts"][1]["template"] = "line one\n{{ passage }"
    errors = errors_of(doc)
    assert errors["prompts[1].template"].startswith("template syntax error at line 2")


def test_sandbox_blocks_unsafe_attribute_access():
    doc = spec_doc()
    doc["prompts"][1]["template"] = "{{ passage.__class__.__mro__ }}"
    errors = errors_of(doc)
    assert "prompts[1].template" in errors


def test_expected_and_item_variables_are_available():
    doc = spec_doc()
    doc["prompts"][1]["template"] = (
        "{{ passage }} {{ expected.places[0] }} {{ item.tags }}"
    )
    assert validate_spec(doc).ok


def test_dataset_needs_exactly_one_source():
    assert errors_of(spec_doc(dataset={}))["dataset"] == (
        "give exactly one of name, items or file"
    )
    both = {"name": "x", "items": [{"input": {"passage": "p"}}]}
    assert "(got name, items)" in errors_of(spec_doc(dataset=both))["dataset"]


def test_unknown_stored_dataset_names_the_project():
    errors = errors_of(spec_doc(dataset={"name": "missing"}))
    assert errors["dataset.name"] == 'no dataset "missing" in project "acme"'


def test_stored_dataset_is_looked_up_and_limited():
    items = [ItemData({"passage": f"p{i}"}) for i in range(10)]
    context = SpecContext(datasets=lambda name: items if name == "stored" else None)
    result = validate_spec(spec_doc(dataset={"name": "stored", "limit": 4}), context)
    assert result.ok
    assert len(result.items) == 4 and len(result.all_items) == 10
    assert result.runs == 8 * 4


def test_dataset_file_only_from_the_command_line(tmp_path):
    path = tmp_path / "items.jsonl"
    path.write_text('{"passage": "Ada in Paris"}\n')
    doc = spec_doc(dataset={"file": "items.jsonl"})
    assert "command line" in errors_of(doc)["dataset.file"]
    context = SpecContext(allow_file=True, base_dir=tmp_path)
    assert validate_spec(doc, context).ok


def test_bad_rows_in_a_dataset_file_are_spec_errors(tmp_path):
    (tmp_path / "items.jsonl").write_text('{"passage": "ok"}\nnot json\n')
    context = SpecContext(allow_file=True, base_dir=tmp_path)
    errors = errors_of(spec_doc(dataset={"file": "items.jsonl"}), context)
    assert errors["dataset.file"].startswith("items.jsonl: line 2:")


def test_dataset_file_override_replaces_the_spec_dataset(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text('passage,expected.people\nAda in Paris,"[""Ada""]"\n')
    context = SpecContext(dataset_file=path)
    result = validate_spec(spec_doc(dataset={"name": "nowhere"}), context)
    assert result.ok, result.errors
    assert result.items == [ItemData({"passage": "Ada in Paris"}, {"people": ["Ada"]})]


def test_inline_api_key_is_refused_with_a_hint():
    doc = spec_doc()
    doc["endpoints"][0]["api_key"] = "sk-secret"
    errors = errors_of(doc)
    assert "never written in a spec" in errors["endpoints[0].api_key"]
    assert "sk-secret" not in str(errors)


def test_endpoint_references_must_resolve():
    doc = spec_doc(models=[{"endpoint": "elsewhere", "model": "m"}])
    errors = errors_of(doc)
    assert errors["models[0].endpoint"].startswith('unknown endpoint "elsewhere"')
    stored = SpecContext(endpoints={"elsewhere": {"prices": {}}})
    assert validate_spec(doc, stored).ok


def test_duplicates_are_errors():
    doc = spec_doc()
    doc["prompts"][1]["name"] = "terse"
    doc["models"][1]["model"] = "m1"
    doc["endpoints"].append({"name": "local", "base_url": "http://other/v1"})
    errors = errors_of(doc)
    assert errors["prompts[1].name"] == 'duplicate prompt name "terse"'
    assert errors["models[1]"] == '"m1" on "local" is listed twice'
    assert errors["endpoints[1].name"] == 'duplicate endpoint name "local"'


@pytest.mark.parametrize(
    ("params", "path", "fragment"),
    [
        ({"temperature": []}, "params.temperature", "at least one value"),
        ({"stream": True}, "params.stream", "not supported"),
        ({"messages": []}, "params.messages", "not params"),
        ({"seed": [1, 1]}, "params.seed", "same value twice"),
        ({"top_p": float("nan")}, "params.top_p", "finite"),
        ({"stop": datetime.date(2024, 1, 1)}, "params.stop", "JSON value"),
    ],
)
def test_bad_param_axes_are_refused_at_their_path(params, path, fragment):
    assert fragment in errors_of(spec_doc(params=params))[path]


def test_unknown_params_are_allowed_as_json_values():
    result = validate_spec(spec_doc(params={"num_ctx": 4096, "stop": [["\n", "END"]]}))
    assert result.ok
    assert result.spec["params"]["stop"] == [["\n", "END"]]


@pytest.mark.parametrize(
    ("scorer", "path", "fragment"),
    [
        ({"type": "nope"}, "scorers[0].type", 'unknown scorer "nope"'),
        ({"type": "json_f1"}, "scorers[0].field", "required field"),
        ({"type": "regex", "pattern": "x", "flags": "q"}, "scorers[0].flags", "flags"),
        ({"type": "contains"}, "scorers[0]", "exactly one of value or values"),
        ({"type": "json_valid", "weight": 0}, "scorers[0].weight", "> 0"),
        ({"type": "json_valid", "colour": "red"}, "scorers[0].colour", "unknown field"),
        (
            {"type": "llm_judge", "endpoint": "ghost", "model": "j", "rubric": "0-10"},
            "scorers[0].endpoint",
            'unknown endpoint "ghost"',
        ),
        (
            {
                "type": "llm_judge",
                "endpoint": "local",
                "model": "j",
                "rubric": "{{ x }}",
            },
            "scorers[0].rubric",
            'variable "x"',
        ),
    ],
)
def test_bad_scorers_are_refused_at_their_path(scorer, path, fragment):
    assert fragment in errors_of(spec_doc(scorers=[scorer]))[path]


def test_judge_rubric_may_use_the_output():
    judge = {
        "type": "llm_judge",
        "endpoint": "local",
        "model": "j",
        "rubric": "{{ output }}",
    }
    assert validate_spec(spec_doc(scorers=[judge])).ok


def test_two_scorers_of_one_type_need_names():
    scorers = [{"type": "json_valid"}, {"type": "json_valid"}]
    assert "set name" in errors_of(spec_doc(scorers=scorers))["scorers[1].name"]
    scorers[1]["name"] = "strict"
    assert validate_spec(spec_doc(scorers=scorers)).ok


def test_random_needs_a_budget_and_unknown_strategies_are_refused():
    assert (
        "needs a budget"
        in errors_of(spec_doc(strategy={"type": "random"}))["strategy.budget"]
    )
    guided = errors_of(spec_doc(strategy={"type": "guided"}))
    assert "guided search needs a budget" in guided["strategy.budget"]
    assert (
        "must be one of"
        in errors_of(spec_doc(strategy={"type": "best"}))["strategy.type"]
    )


def test_all_errors_are_reported_together():
    doc = spec_doc(samples=0, concurrency="lots", models=[{"endpoint": "x"}])
    errors = errors_of(doc)
    assert {"samples", "concurrency", "models[0].model", "models[0].endpoint"} <= set(
        errors
    )


def test_yaml_syntax_errors_name_the_line():
    with pytest.raises(SpecInvalid) as excinfo:
        parse_spec_text("name: x\nprompts: [\n  - a\n")
    assert "line" in str(excinfo.value)


# --- property: a broken field is reported at its own path ----------------------

_BREAKABLE = [
    ("name", ["name"], 5),
    ("samples", ["samples"], "many"),
    ("concurrency", ["concurrency"], 0),
    ("prompts[0].name", ["prompts", 0, "name"], ["x"]),
    ("prompts[0].messages[0].role", ["prompts", 0, "messages", 0, "role"], "robot"),
    ("prompts[0].messages[1].content", ["prompts", 0, "messages", 1, "content"], None),
    ("prompts[1].template", ["prompts", 1, "template"], {"a": 1}),
    ("models[0].model", ["models", 0, "model"], 3.5),
    ("models[1].endpoint", ["models", 1, "endpoint"], "ghost"),
    ("endpoints[0].base_url", ["endpoints", 0, "base_url"], "ftp://x"),
    ("endpoints[0].max_concurrency", ["endpoints", 0, "max_concurrency"], -1),
    ("dataset.items[1].input", ["dataset", "items", 1, "input"], "text"),
    ("scorers[1].field", ["scorers", 1, "field"], 7),
    ("params.temperature", ["params", "temperature"], []),
]


def _set(doc, keys, value):
    for key in keys[:-1]:
        doc = doc[key]
    doc[keys[-1]] = value


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(_BREAKABLE), min_size=1, max_size=5, unique_by=lambda b: b[0]
    )
)
def test_every_broken_field_is_reported_at_its_path(breaks):
    doc = copy.deepcopy(spec_doc())
    for _, keys, value in breaks:
        _set(doc, keys, value)
    result = validate_spec(doc)
    paths = {e.path for e in result.errors}
    assert {path for path, _, _ in breaks} <= paths


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
_PATHS = [keys for _, keys, _ in _BREAKABLE] + [
    ["dataset"],
    ["prompts"],
    ["prompts", 0],
    ["prompts", 0, "messages"],
    ["models"],
    ["models", 0],
    ["endpoints"],
    ["endpoints", 0],
    ["scorers"],
    ["scorers", 0],
    ["strategy"],
    ["params"],
    ["dataset", "items"],
    ["dataset", "items", 0],
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_PATHS), _JSON), min_size=1, max_size=4))
def test_any_json_in_any_field_gives_errors_never_a_crash(changes):
    doc = copy.deepcopy(spec_doc())
    for keys, value in changes:
        try:
            _set(doc, keys, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed the parent
    result = validate_spec(doc)
    assert result.ok or all(
        isinstance(e.path, str) and e.message for e in result.errors
    )
