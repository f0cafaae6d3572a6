"""Tests for experiments.dataset_io (pure Python, no database)."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from experiments.dataset_io import (
    FORMATS,
    DatasetFileError,
    ItemData,
    RowError,
    detect_format,
    export_csv,
    export_jsonl,
    load_dataset_file,
    parse_dataset,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "data"


def rejected(content: bytes | str, fmt: str) -> DatasetFileError:
    with pytest.raises(DatasetFileError) as info:
        parse_dataset(content, fmt, "upload")
    return info.value


def lines_of(exc: DatasetFileError) -> list[int]:
    return [e.line for e in exc.errors]


# --- JSONL ------------------------------------------------------------------


def test_jsonl_structured_object_keeps_input_expected_and_tags():
    text = '{"input": {"q": "2+2?"}, "expected": 4, "tags": ["math"]}\n'
    assert parse_dataset(text, "jsonl") == [ItemData({"q": "2+2?"}, 4, ["math"])]


def test_jsonl_structured_object_may_omit_expected_and_tags():
    assert parse_dataset('{"input": {"q": "hi"}}', "jsonl") == [ItemData({"q": "hi"})]


def test_jsonl_flat_object_becomes_input():
    text = '{"passage": "Ada in London", "n": 3, "expected": ["Ada"], "tags": ["t"]}'
    assert parse_dataset(text, "jsonl") == [
        ItemData({"passage": "Ada in London", "n": 3}, ["Ada"], ["t"])
    ]


def test_jsonl_skips_blank_lines_and_accepts_crlf():
    text = '\n{"a": "1"}\r\n\r\n   \n{"a": "2"}\r\n'
    assert [i.input for i in parse_dataset(text, "jsonl")] == [{"a": "1"}, {"a": "2"}]


def test_jsonl_line_separator_inside_a_string_is_not_a_line_break():
    text = '{"a": "one\u2028two"}\n{"a": "three"}\n'
    assert [i.input["a"] for i in parse_dataset(text, "jsonl")] == [
        "one\u2028two",
        "three",
    ]


def test_jsonl_bad_rows_are_all_reported_with_line_numbers_and_nothing_returned():
    text = "\n".join(
        [
            '{"a": "fine"}',  # 1
            '{"a": ',  # 2 invalid JSON
            "[1, 2]",  # 3 not an object
            "",  # 4 blank, skipped
            '{"input": "text"}',  # 5 input not an object
            '{"a": "x", "tags": "t1,t2"}',  # 6 tags not a list
            '{"a": "x", "tags": ["ok", 3]}',  # 7 tags not all strings
            '{"input": {}, "extra": 1}',  # 8 unknown key beside input
            '{"expected": 1, "tags": []}',  # 9 flat without input keys
            '{"a": NaN}',  # 10 NaN is not JSON
            '{"a": "also fine"}',  # 11
        ]
    )
    exc = rejected(text, "jsonl")
    assert lines_of(exc) == [2, 3, 5, 6, 7, 8, 9, 10]
    messages = {e.line: e.message for e in exc.errors}
    assert messages[2].startswith("invalid JSON: Expecting value (column 7)")
    assert "object" in messages[3] and "list" in messages[3]
    assert messages[5] == '"input" must be a JSON object'
    assert messages[6] == messages[7] == '"tags" must be a list of strings'
    assert '"extra"' in messages[8]
    assert messages[9] == "object has no input keys"
    assert "NaN" in messages[10]


def test_error_message_summarises_and_lists_rows():
    exc = rejected('{"a": 1}\nnope\n[]\n', "jsonl")
    text = str(exc)
    assert text.splitlines()[0] == "upload: 2 bad rows; nothing was imported"
    assert "line 2: invalid JSON: Expecting value (column 1)" in text
    assert "line 3: " in text
    assert isinstance(exc, ValueError)


def test_error_message_shows_at_most_20_errors():
    exc = DatasetFileError([RowError(i, "bad") for i in range(1, 26)], "f.jsonl")
    text = str(exc).splitlines()
    assert text[0] == "f.jsonl: 25 bad rows; nothing was imported"
    assert len(text) == 1 + 20 + 1
    assert text[-1] == "... and 5 more"
    assert len(exc.errors) == 25


def test_dataset_file_error_survives_pickling():
    exc = DatasetFileError([RowError(2, "bad")], "f.csv")
    copy = pickle.loads(pickle.dumps(exc))
    assert (copy.errors, copy.filename, str(copy)) == (exc.errors, "f.csv", str(exc))


def test_row_error_str_names_the_line():
    assert str(RowError(3, "oops")) == "line 3: oops"


# --- CSV --------------------------------------------------------------------


def test_csv_expected_dot_columns_build_a_dict_and_tags_are_split():
    text = (
        "passage,expected.people,expected.places,expected.count,tags\n"
        '"Ada met Babbage","[""Ada"", ""Babbage""]",London,2," history , science,,"\n'
    )
    assert parse_dataset(text, "csv") == [
        ItemData(
            {"passage": "Ada met Babbage"},
            {"people": ["Ada", "Babbage"], "places": "London", "count": 2},
            ["history", "science"],
        )
    ]


def test_csv_input_cells_are_never_json_parsed():
    items = parse_dataset('a,b\n42,"[1]"\n', "csv")
    assert items[0].input == {"a": "42", "b": "[1]"}


def test_csv_expected_column_is_json_when_it_parses_else_text():
    items = parse_dataset('q,expected\na,"[1, 2]"\nb,Paris\nc,\nd,"""x"""\n', "csv")
    assert [i.expected for i in items] == [[1, 2], "Paris", None, "x"]


def test_csv_empty_expected_dot_cell_omits_the_key_and_all_empty_means_none():
    items = parse_dataset("q,expected.a,expected.b\nx,1,\ny,,\n", "csv")
    assert [i.expected for i in items] == [{"a": 1}, None]


def test_csv_skips_rows_whose_cells_are_all_blank():
    items = parse_dataset("q,tags\n\nx,t\n,\n  , \n\ny,\n", "csv")
    assert [i.input["q"] for i in items] == ["x", "y"]


def test_csv_multiline_cell_errors_report_the_record_start_line():
    text = 'q,expected\n"one\ntwo\nthree",1\nonly-one-cell\n"a\nb",1,extra\n'
    exc = rejected(text, "csv")
    assert lines_of(exc) == [5, 6]
    assert exc.errors[0].message == "expected 2 cells (one per column), got 1"


def test_csv_bad_rows_are_all_reported_and_nothing_returned():
    text = "a,b\n1,2\n1\n1,2\n1,2,3\n"
    exc = rejected(text, "csv")
    assert lines_of(exc) == [3, 5]
    assert "1 bad row" not in str(exc) and "2 bad rows" in str(exc)


def test_csv_duplicate_header_is_a_line_1_error():
    exc = rejected("q,q,expected\n1,2,3\n", "csv")
    assert [(e.line, e.message) for e in exc.errors] == [(1, 'duplicate column "q"')]


def test_csv_empty_header_name_is_a_line_1_error():
    exc = rejected("q, ,expected\n1,2,3\n", "csv")
    assert [(e.line, e.message) for e in exc.errors] == [
        (1, "empty column name in header")
    ]


def test_csv_expected_and_expected_dot_columns_together_are_an_error():
    exc = rejected("q,expected,expected.a\n1,2,3\n", "csv")
    assert lines_of(exc) == [1]
    assert "not both" in exc.errors[0].message


def test_csv_header_without_input_column_is_an_error():
    exc = rejected("expected,tags\n1,a\n", "csv")
    assert lines_of(exc) == [1]
    assert "no input column" in exc.errors[0].message


def test_csv_header_errors_and_row_errors_are_reported_together():
    exc = rejected("q,q\n1\n", "csv")
    assert lines_of(exc) == [1, 2]


def test_csv_header_only_file_has_no_items():
    exc = rejected("passage,expected\n", "csv")
    assert [(e.line, e.message) for e in exc.errors] == [(0, "file has no items")]


# --- encoding and empty files -----------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_non_utf8_bytes_are_rejected_with_the_byte_offset(fmt):
    exc = rejected(b"q\nCaf\xe9\n", fmt)
    assert exc.errors == [RowError(0, "file is not UTF-8 text (byte 5)")]
    assert str(exc).startswith("upload: file rejected; nothing was imported")


def test_non_utf8_byte_offset_counts_the_bom():
    exc = rejected(b"\xef\xbb\xbfq\n\xff\n", "csv")
    assert exc.errors == [RowError(0, "file is not UTF-8 text (byte 5)")]


def test_utf8_bom_is_stripped_from_bytes_and_text():
    assert parse_dataset("\ufeffq\nx\n".encode(), "csv") == [ItemData({"q": "x"})]
    assert parse_dataset('\ufeff{"q": "x"}', "jsonl") == [ItemData({"q": "x"})]


def test_utf8_bytes_are_decoded():
    items = parse_dataset('{"q": "Zoë, 東京"}\n'.encode(), "jsonl")
    assert items[0].input == {"q": "Zoë, 東京"}


@pytest.mark.parametrize("content", [b"", "", "\n\n  \n"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_file_is_an_error(content, fmt):
    exc = rejected(content, fmt)
    assert exc.errors == [RowError(0, "file has no items")]


def test_unknown_format_name_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown dataset format"):
        parse_dataset("{}", "xml")


# --- file names and loading -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.jsonl", "jsonl"), ("dir/b.NDJSON", "jsonl"), ("c.csv", "csv")],
)
def test_detect_format_by_extension(name, fmt):
    assert detect_format(name) == fmt


def test_unsupported_extension_is_rejected():
    with pytest.raises(DatasetFileError) as info:
        detect_format("data.xyz")
    assert info.value.errors == [
        RowError(0, 'unsupported file type ".xyz"; use .jsonl or .csv')
    ]


def test_load_dataset_file_reads_by_extension(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(b"q,expected\nx,1\n")
    assert load_dataset_file(path) == [ItemData({"q": "x"}, 1)]
    assert load_dataset_file(str(path)) == [ItemData({"q": "x"}, 1)]


def test_load_dataset_file_names_the_file_in_errors(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text("oops\n")
    with pytest.raises(DatasetFileError) as info:
        load_dataset_file(path)
    assert str(info.value).startswith(f"{path}: 1 bad row; nothing was imported")


def test_missing_file_is_a_line_0_error(tmp_path):
    with pytest.raises(DatasetFileError) as info:
        load_dataset_file(tmp_path / "missing.jsonl")
    [error] = info.value.errors
    assert error.line == 0
    assert error.message.startswith("cannot read file:")
    assert "No such file" in error.message


# --- export and round trips -------------------------------------------------

SAMPLE = [
    ItemData({"passage": "Ada, in London"}, {"people": ["Ada"], "places": ["London"]}),
    ItemData({"passage": "Zoë\nin 東京"}, {"people": [], "n": 2}, ["tricky", "intl"]),
    ItemData({"passage": 'say "hi"'}, {"people": ["42"], "note": "Paris"}, ["x"]),
]


def test_export_jsonl_writes_the_structured_shape():
    lines = export_jsonl(SAMPLE).splitlines()
    assert len(lines) == 3
    assert json.loads(lines[1]) == {
        "input": {"passage": "Zoë\nin 東京"},
        "expected": {"people": [], "n": 2},
        "tags": ["tricky", "intl"],
    }
    assert "Zoë" in lines[1]  # ensure_ascii=False keeps files readable
    assert json.loads(lines[0]) == {
        "input": SAMPLE[0].input,
        "expected": SAMPLE[0].expected,
    }


def test_jsonl_export_parses_back_to_the_same_items():
    assert parse_dataset(export_jsonl(SAMPLE), "jsonl") == SAMPLE


def test_export_csv_uses_expected_dot_columns_when_every_expected_is_a_dict():
    text = export_csv(SAMPLE)
    assert text.splitlines()[0] == (
        "passage,expected.people,expected.places,expected.n,expected.note,tags"
    )


def test_csv_round_trip_with_dict_expected():
    assert parse_dataset(export_csv(SAMPLE), "csv") == SAMPLE


def test_csv_round_trip_with_mixed_expected_uses_one_expected_column():
    items = [
        ItemData({"q": "a"}, [1, 2]),
        ItemData({"q": "b"}, {"k": "v"}, ["t"]),
        ItemData({"q": "c"}),
        ItemData({"q": "d"}, "Paris"),
        ItemData({"q": "e"}, "42"),
    ]
    text = export_csv(items)
    assert text.splitlines()[0] == "q,expected,tags"
    assert parse_dataset(text, "csv") == items


def test_csv_export_quotes_expected_strings_that_would_read_back_as_json():
    items = [ItemData({"q": "a"}, {"k": "42", "e": "", "s": "Paris", "n": None})]
    row = export_csv(items).splitlines()[1]
    assert row == 'a,"""42""","""""",Paris,null'
    assert parse_dataset(export_csv(items), "csv") == items


def test_csv_export_json_encodes_non_string_inputs():
    text = export_csv([ItemData({"q": "a", "n": 3, "l": [1]})])
    assert text.splitlines()[1] == "a,3,[1]"
    assert parse_dataset(text, "csv")[0].input == {"q": "a", "n": "3", "l": "[1]"}


def test_csv_export_fills_missing_input_keys_with_empty_cells():
    text = export_csv([ItemData({"a": "1"}), ItemData({"b": "2"})])
    assert text == "a,b\r\n1,\r\n,2\r\n"


def test_csv_export_refuses_input_keys_that_would_read_back_as_special_columns():
    with pytest.raises(ValueError, match="tags"):
        export_csv([ItemData({"tags": "x"})])


def test_exporting_nothing_gives_an_empty_string():
    assert export_jsonl([]) == export_csv([]) == ""


# NUL is refused on import (PostgreSQL cannot store it), so it cannot round-trip.
def _text(**options):
    return st.text(alphabet=st.characters(exclude_characters="\x00"), **options)


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | _text()
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(_text(), inner, max_size=4)
    ),
    max_leaves=12,
)
items_strategy = st.lists(
    st.builds(
        ItemData,
        input=st.dictionaries(_text(), json_values, max_size=4),
        expected=json_values,
        tags=st.lists(_text(), max_size=3),
    ),
    min_size=1,
    max_size=5,
)


@given(items_strategy)
def test_jsonl_round_trip_property(items):
    assert parse_dataset(export_jsonl(items), "jsonl") == items


# Header names are stripped and a leading U+FEFF would read as a BOM.
column_names = _text(min_size=1, max_size=8).filter(
    lambda s: (
        s == s.strip() and s != "tags" and not s.startswith(("expected", "\ufeff"))
    )
)
tag_text = _text(min_size=1).filter(lambda s: s == s.strip() and "," not in s)


@given(
    st.lists(column_names, min_size=1, max_size=3, unique=True).flatmap(
        lambda keys: st.lists(
            st.builds(
                ItemData,
                # An all-blank row would be skipped, so keep one cell non-blank.
                input=st.fixed_dictionaries(
                    {keys[0]: _text().filter(str.strip)}
                    | {k: _text() for k in keys[1:]}
                ),
                expected=st.none()
                | st.dictionaries(column_names, json_values, min_size=1, max_size=3),
                tags=st.lists(tag_text, max_size=3),
            ),
            min_size=1,
            max_size=4,
        )
    )
)
def test_csv_round_trip_property_for_string_inputs_and_dict_expected(items):
    assert parse_dataset(export_csv(items), "csv") == items


# --- shipped example data ---------------------------------------------------


def test_example_datasets_load_and_the_csv_matches_the_jsonl_prefix():
    # Deliberately not skipped when the files are missing: they ship with the repo.
    jsonl_items = load_dataset_file(EXAMPLES / "passages.jsonl")
    csv_items = load_dataset_file(EXAMPLES / "passages.csv")
    assert len(jsonl_items) >= 30
    assert len(csv_items) == 10
    assert csv_items == jsonl_items[:10]
