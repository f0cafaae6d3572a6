"""llm_judge at its edges: the scale named in the reply, ratios over another
scale, the exact default params and prompt, bad scales and odd replies."""

from __future__ import annotations

import asyncio

import pytest
from jsonschema import Draft202012Validator

from scoring.base import ScoreContext
from scoring.judge import LlmJudgeScorer, judge_messages, parse_judge_score

JUDGE = {"endpoint": "local", "model": "judge", "rubric": "Is it right?"}


@pytest.mark.parametrize(
    ("reply", "grade"),
    [
        ("<THINK>\nsay 3/10\n</THINK> Score: 7", 7),  # any case, over lines
        ("I found 3 issues. Score: 7", 7),  # the labelled number, not the first
        ("Score: 12, 5 issues", None),  # a labelled number off the scale
        ("I saw 3 issues. score" + " " * 25 + "7", 7),  # label within 30 chars
        ("I saw 3 issues. score" + " " * 26 + "7", 3),  # ... and not beyond
        ("On a scale of 10, I give it 7.", 7),  # "scale of 10" is no grade
        ("Out of 10: 7", 7),
        ("I cannot grade this on 0-10.", None),  # the scale alone is no grade
        ("The answer is 3/5", 3),  # a ratio over another scale, as a last resort
        ("12/5", None),
        ("seven", 7),
        ("ZERO", 0),
    ],
)
def test_the_grade_in_edge_replies(reply, grade):
    assert parse_judge_score(reply, 0, 10) == grade


def run(scorer, judge_reply, **context):
    calls = []

    async def judge(endpoint, model, messages, params):
        calls.append(params)
        return judge_reply

    context = ScoreContext(judge=judge, **context)
    return asyncio.run(scorer.ascore({"q": "é"}, "out", context)), calls


def test_the_default_judge_params_are_deterministic_and_short():
    _, [params] = run(LlmJudgeScorer(**JUDGE), "5")
    assert params == {"temperature": 0, "max_tokens": 64}


def test_the_prompt_shows_the_input_as_indented_unicode_json():
    system, user = judge_messages("R", {"q": "é"}, "out", 0, 10)
    assert system["content"].endswith(
        "Reply with a single number between 0 and 10 (higher is better) "
        "and nothing else."
    )
    assert user["content"] == 'RUBRIC:\nR\n\nINPUT:\n{\n  "q": "é"\n}\n\nOUTPUT:\nout'


def test_a_non_text_reply_is_read_as_text():
    result, _ = run(LlmJudgeScorer(**JUDGE), 7)
    assert (result.value, result.detail["raw"]) == (pytest.approx(0.7), "7")


def test_the_raw_reply_is_capped_at_500_chars():
    result, _ = run(LlmJudgeScorer(**JUDGE), "8 " + "x" * 700)
    assert len(result.detail["raw"]) == 500


@pytest.mark.parametrize(
    ("scale", "error"),
    [
        ([1, 2, 3], "scale must be [lo, hi]"),
        (5, "scale must be [lo, hi]"),
        ([5, 5], "scale [5, 5] is empty"),
        ([6, 5], "scale [6, 5] is empty"),
    ],
)
def test_a_bad_scale_scores_zero_without_a_call(scale, error):
    result, calls = run(LlmJudgeScorer(**JUDGE, scale=scale), "5")
    assert (result.value, result.error, calls) == (0.0, error, [])


def test_a_rubric_that_cannot_render_scores_zero():
    def broken(source, variables):
        raise ValueError("undefined")

    result, calls = run(
        LlmJudgeScorer(**JUDGE), "5", render_template=broken, variables={}
    )
    assert (result.value, result.error, calls) == (
        0.0,
        "cannot render rubric: undefined",
        [],
    )


def test_the_judge_is_asynchronous_and_its_scale_has_two_numbers():
    assert LlmJudgeScorer.is_async is True
    scale = Draft202012Validator(LlmJudgeScorer.options["scale"])
    assert scale.is_valid([0, 10])
    assert not scale.is_valid([10])
    assert not scale.is_valid([0, 5, 10])
