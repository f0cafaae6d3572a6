"""A spec's dataset: one source (a stored name, inline items, or a file the
command line reads), its ``limit``, and one error for one bad field."""

from __future__ import annotations

from experiments.dataset_io import ItemData
from experiments.spec import SpecContext, validate_spec
from experiments.tests.factories import spec_doc


def errors_of(doc, context=None) -> dict[str, str]:
    result = validate_spec(doc, context)
    assert not result.ok, "expected the spec to be invalid"
    return {e.path: e.message for e in result.errors}


def test_a_limit_of_1_keeps_the_first_item():
    doc = spec_doc()
    doc["dataset"]["limit"] = 1
    result = validate_spec(doc)
    assert result.ok, result.errors
    assert [i.input["passage"] for i in result.items] == ["Ada met Charles in London."]
    assert len(result.all_items) == 2
    assert result.runs == 8  # 8 configs x 1 item


def test_a_limit_over_the_items_keeps_them_all():
    doc = spec_doc()
    doc["dataset"]["limit"] = 3
    assert len(validate_spec(doc).items) == 2


def test_the_dataset_file_option_keeps_the_specs_limit(tmp_path):
    path = tmp_path / "items.jsonl"
    path.write_text("".join(f'{{"passage": "p{i}"}}\n' for i in range(5)))
    doc = spec_doc(dataset={"name": "stored", "limit": 2})
    result = validate_spec(doc, SpecContext(dataset_file=path))
    assert result.ok, result.errors
    assert [i.input for i in result.items] == [{"passage": "p0"}, {"passage": "p1"}]
    assert len(result.all_items) == 5


def test_a_file_with_bad_rows_and_a_limit_reports_the_rows(tmp_path):
    (tmp_path / "items.jsonl").write_text('{"passage": "ok"}\nnot json\n')
    context = SpecContext(allow_file=True, base_dir=tmp_path)
    doc = spec_doc(dataset={"file": "items.jsonl", "limit": 1})
    errors = errors_of(doc, context)
    assert list(errors) == ["dataset.file"]
    assert errors["dataset.file"].startswith("items.jsonl: line 2:")


def test_an_absolute_file_path_ignores_the_base_directory(tmp_path):
    path = tmp_path / "items.jsonl"
    path.write_text('{"passage": "Ada in Paris"}\n')
    context = SpecContext(allow_file=True, base_dir=tmp_path / "elsewhere")
    result = validate_spec(spec_doc(dataset={"file": str(path)}), context)
    assert result.ok, result.errors
    assert result.items == [ItemData({"passage": "Ada in Paris"})]


def test_an_item_whose_input_is_not_a_mapping_gets_one_error():
    doc = spec_doc()
    doc["dataset"]["items"][1]["input"] = "Marie worked in Paris."
    assert errors_of(doc) == {
        "dataset.items[1].input": "must be an object, got a string"
    }


def test_a_missing_stored_dataset_names_the_default_project():
    doc = spec_doc(dataset={"name": "passages"})
    del doc["project"]
    assert errors_of(doc) == {
        "dataset.name": 'no dataset "passages" in project "default"'
    }


def test_a_stored_dataset_without_items_is_not_an_error_of_the_spec():
    # An empty stored dataset is the dataset's state, not the spec's mistake.
    context = SpecContext(datasets=lambda name: [])
    result = validate_spec(spec_doc(dataset={"name": "empty"}), context)
    assert result.ok, result.errors
    assert result.runs == 0
