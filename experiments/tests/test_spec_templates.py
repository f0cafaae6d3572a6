"""Prompt templates as the validator and the engine render them: strict
variables, text kept as written, the variables an item gives, and the
readable reason a render or a parse fails."""

from __future__ import annotations

import jinja2
import pytest

from experiments.spec import templates


def test_text_is_kept_as_written():
    # No HTML escaping (prompts are not HTML), and the last newline stays.
    source = "<b>{{ name }}</b> & co\n"
    assert templates.render(source, {"name": "A<B>"}) == "<b>A<B></b> & co\n"


def test_an_undefined_variable_is_an_error_not_an_empty_string():
    with pytest.raises(jinja2.UndefinedError):
        templates.render("Hello {{ nobody }}", {})


def test_an_item_gives_its_input_keys_expected_and_item():
    context = templates.item_context({"passage": "p"}, {"people": ["Ada"]}, ["t"])
    assert context == {
        "passage": "p",
        "expected": {"people": ["Ada"]},
        "item": {
            "input": {"passage": "p"},
            "expected": {"people": ["Ada"]},
            "tags": ["t"],
        },
    }
    assert templates.item_context({"a": 1})["item"]["tags"] == []


def test_rendering_messages_keeps_their_roles():
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "{{ passage }}"},
    ]
    assert templates.render_messages(messages, {"passage": "Ada"}) == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Ada"},
    ]


def test_a_template_is_compiled_once():
    source = "{{ a }} compiled once"
    assert templates.compile_template(source) is templates.compile_template(source)


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (RecursionError(), "templates call each other too deeply (recursion limit)"),
        (MemoryError(), "rendering ran out of memory"),
        (
            ValueError("Exceeds the limit (4300 digits) for integer string conversion"),
            "a number has too many digits to print (over 4300)",
        ),
        (ValueError("math domain error"), "math domain error"),
        (jinja2.UndefinedError("'x' is undefined"), "'x' is undefined"),
        (jinja2.TemplateError(), "TemplateError"),
        (ZeroDivisionError(), "ZeroDivisionError"),
    ],
)
def test_a_failed_render_reads_as_its_reason(exc, reason):
    assert templates.render_error(exc) == reason


def test_a_syntax_error_names_its_line():
    assert templates.syntax_error("fine {{ x }}") is None
    assert templates.syntax_error("line one\n{{ x }") == (
        "template syntax error on line 2: unexpected '}'"
    )
