"""The scorer registry: built-ins, custom scorers from settings, building
scorers from a normalised spec, and the options the validator derives."""

from __future__ import annotations

from typing import ClassVar

import pytest
from django.core.exceptions import ImproperlyConfigured

from experiments.spec import validate_spec
from experiments.tests.factories import spec_doc
from scoring.base import BaseScorer, ScoreContext, ScoreResult
from scoring.builtins import ContainsScorer
from scoring.judge import LlmJudgeScorer
from scoring.options import scorer_options
from scoring.registry import (
    BUILTIN_SCORERS,
    build_scorers,
    describe_scorers,
    get_scorer_class,
    scorer_classes,
)

HERE = __name__


class WordCountScorer(BaseScorer):
    """1 if the output has at least ``min_words`` words."""

    type = "word_count"
    options: ClassVar[dict] = {
        "min_words": {"type": "integer", "minimum": 1},
        "greeting": {"type": "string"},
    }
    required: ClassVar[list[str]] = ["min_words"]
    template_options = ("greeting",)

    def score(self, input: dict, output: str, context: ScoreContext) -> ScoreResult:
        return ScoreResult(float(len(output.split()) >= self.config["min_words"]))


class ShadowingScorer(WordCountScorer):
    type = "regex"


class UntypedScorer(BaseScorer):
    pass


NOT_A_SCORER = object()


@pytest.fixture(autouse=True)
def fresh_registry(settings):
    # Before and after: a test's override must not leak into the next test.
    scorer_classes.cache_clear()
    yield settings
    scorer_classes.cache_clear()


def test_builtin_types_are_present():
    classes = scorer_classes()
    assert set(BUILTIN_SCORERS) <= set(classes)
    for kind, cls in classes.items():
        assert cls.type == kind
        assert issubclass(cls, BaseScorer)
    assert get_scorer_class("llm_judge") is LlmJudgeScorer


def test_unknown_type_lists_known_ones():
    with pytest.raises(KeyError, match=r'unknown scorer "nope"; known: .*contains'):
        get_scorer_class("nope")


def test_custom_scorer_from_settings(settings):
    settings.PROMPTLOOPER_SCORERS = [f"{HERE}.WordCountScorer"]
    scorer_classes.cache_clear()
    assert get_scorer_class("word_count") is WordCountScorer
    described = {d["type"]: d for d in describe_scorers()}
    assert described["word_count"]["description"].startswith("1 if the output has")
    assert described["word_count"]["builtin"] is False
    assert described["word_count"]["required"] == ["min_words"]
    assert described["regex"]["builtin"] is True


def test_changing_the_setting_clears_the_cache(settings):
    assert "word_count" not in scorer_classes()
    settings.PROMPTLOOPER_SCORERS = [f"{HERE}.WordCountScorer"]
    assert "word_count" in scorer_classes()


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        (f"{HERE}.ShadowingScorer", 'type "regex", which is a built-in'),
        (f"{HERE}.Missing", f"cannot import '{HERE}.Missing'"),
        ("no_such_module.Scorer", "cannot import 'no_such_module.Scorer'"),
        ("nodots", "cannot import 'nodots'"),
        (f"{HERE}.NOT_A_SCORER", "is not a subclass of scoring.base.BaseScorer"),
        (f"{HERE}.UntypedScorer", "does not set `type`"),
    ],
)
def test_a_bad_custom_scorer_setting_is_refused_with_the_reason(
    settings, path, fragment
):
    settings.PROMPTLOOPER_SCORERS = [path]
    scorer_classes.cache_clear()
    with pytest.raises(ImproperlyConfigured, match="PROMPTLOOPER_SCORERS") as exc:
        scorer_classes()
    assert fragment in str(exc.value)


def test_a_type_registered_twice(settings):
    settings.PROMPTLOOPER_SCORERS = [f"{HERE}.WordCountScorer"] * 2
    with pytest.raises(ImproperlyConfigured, match="already registered"):
        scorer_classes()


def test_build_scorers_passes_options(settings):
    settings.PROMPTLOOPER_SCORERS = [f"{HERE}.WordCountScorer"]
    entries = [
        {
            "type": "contains",
            "name": "city",
            "weight": 2.0,
            "value": "x",
            "mode": "all",
        },
        {"type": "word_count", "name": "word_count", "weight": 1, "min_words": 2},
    ]
    (name1, weight1, contains), (name2, weight2, words) = build_scorers(entries)
    assert (name1, weight1, type(contains)) == ("city", 2.0, ContainsScorer)
    assert contains.config == {"value": "x", "mode": "all"}
    assert (name2, weight2, words.config) == ("word_count", 1.0, {"min_words": 2})
    assert words.score({}, "two words", ScoreContext()).value == 1.0


def test_scorer_options_are_derived_from_the_classes():
    options = scorer_options()
    assert set(options) == set(scorer_classes())
    assert options["contains"]["oneOf_required"] == ["value", "values"]
    assert options["contains"]["template_options"] == ("value", "values")
    assert options["regex"]["required"] == ["pattern"]
    assert options["json_valid"] == {
        "properties": {},
        "required": [],
        "oneOf_required": [],
        "template_options": (),
    }


def test_the_validator_checks_custom_scorers(settings):
    settings.PROMPTLOOPER_SCORERS = [f"{HERE}.WordCountScorer"]
    good = {"type": "word_count", "min_words": 2, "greeting": "{{ passage }}"}
    assert validate_spec(spec_doc(scorers=[good])).ok
    result = validate_spec(spec_doc(scorers=[{"type": "word_count"}]))
    assert (
        "required" in {e.path: e.message for e in result.errors}["scorers[0].min_words"]
    )
    bad = {"type": "word_count", "min_words": 2, "greeting": "{{ ghost }}"}
    errors = {e.path: e.message for e in validate_spec(spec_doc(scorers=[bad])).errors}
    assert 'variable "ghost"' in errors["scorers[0].greeting"]
