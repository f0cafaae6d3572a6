"""llm_judge: reading grades out of messy replies, and the async scorer with a
stand-in judge coroutine."""

from __future__ import annotations

import pytest

from adapters.base import AdapterError
from experiments.spec import templates
from scoring.base import ScoreContext
from scoring.judge import DEFAULT_PARAMS, LlmJudgeScorer, parse_judge_score


@pytest.mark.parametrize(
    ("reply", "grade"),
    [
        ("Score: 7/10", 7),
        ("**8** out of 10", 8),
        ("I'd rate this 6.5.", 6.5),
        ("7.5/10", 7.5),
        ("Rating: 9", 9),
        ("8 - good", 8),
        ("  10 ", 10),
        ("score=3", 3),
        ("7 out of 10 because of 3 missing items", 7),
        ("0/10", 0),
        ("Score: **8**", 8),
        ("Final grade is 6.", 6),
        ("eight", 8),
        ("I'd give it eight out of ten", 8),
        ("One entity is missing. Score: 6", 6),
        ("12/15 entities found. Score: 8", 8),
        ("On a scale of 0 to 10, I'd give 7", 7),
        ("On a 0-10 scale this is a 4", 4),
        ("The output is 3 items short. Score: 7", 7),
        ("<think>maybe a 2?</think>\n9", 9),
        ("Compared with gpt4, 5", 5),
        ("Score: 7/10 (it was 5/10 before)", 7),
    ],
)
def test_the_grade_is_read_from_the_judges_reply(reply, grade):
    assert parse_judge_score(reply, 0, 10) == grade


@pytest.mark.parametrize(
    "reply",
    [
        "",
        "N/A",
        "I cannot grade this output.",
        "Score: 11",
        "15/10",
        "-1",
        "12",
        "Rating: -2 out of 10",
    ],
)
def test_parse_judge_score_none(reply):
    assert parse_judge_score(reply, 0, 10) is None


def test_parse_judge_score_other_scales():
    assert parse_judge_score("4", 1, 5) == 4
    assert parse_judge_score("Score: 3/5", 1, 5) == 3
    assert parse_judge_score("0", 1, 5) is None
    assert parse_judge_score("0.75", 0, 1) == 0.75
    assert parse_judge_score("Score: 7/10", 1, 5) is None


ITEM = {"text": "Ada met Babbage."}
JUDGE = {"endpoint": "local", "model": "judge", "rubric": "Entities: {{ expected }}"}


def context_for(judge, expected=None) -> ScoreContext:
    """What the engine passes: the judge call, the item's variables and the
    template renderer."""
    return ScoreContext(
        expected=expected,
        judge=judge,
        variables=templates.item_context(ITEM, expected),
        render_template=templates.render,
    )


class RecordingJudge:
    """A plain async callable standing in for the engine's judge call."""

    def __init__(self, reply="Score: 8/10", error: Exception | None = None):
        self.reply = reply
        self.error = error
        self.calls: list[tuple] = []

    async def __call__(self, endpoint, model, messages, params):
        self.calls.append((endpoint, model, messages, params))
        if self.error:
            raise self.error
        return self.reply


@pytest.mark.asyncio
async def test_judge_scores_and_builds_the_prompt():
    judge = RecordingJudge("**8** out of 10")
    rubric = "{{ text }} -> {{ output }}; want {{ expected | join(', ') }}"
    scorer = LlmJudgeScorer(endpoint="local", model="judge", rubric=rubric)
    result = await scorer.ascore(ITEM, "Ada, Babbage", context_for(judge, ["Ada"]))
    assert result.value == pytest.approx(0.8)
    assert result.detail == {"raw": "**8** out of 10", "parsed": 8.0}
    assert result.error == ""
    [(endpoint, model, messages, params)] = judge.calls
    assert (endpoint, model, params) == ("local", "judge", DEFAULT_PARAMS)
    system, user = messages
    assert system["role"] == "system"
    assert "between 0 and 10" in system["content"]
    assert user["content"].startswith(
        "RUBRIC:\nAda met Babbage. -> Ada, Babbage; want Ada\n"
    )
    assert '"text": "Ada met Babbage."' in user["content"]
    assert "\nOUTPUT:\nAda, Babbage" in user["content"]


@pytest.mark.asyncio
async def test_judge_scale_and_params():
    judge = RecordingJudge("4")
    scorer = LlmJudgeScorer(**JUDGE, scale=[1, 5], params={"temperature": 0.1})
    result = await scorer.ascore(ITEM, "x", context_for(judge))
    assert result.value == pytest.approx(0.75)
    assert judge.calls[0][3] == {"temperature": 0.1}


@pytest.mark.asyncio
async def test_rubric_renders_without_engine_variables():
    judge = RecordingJudge("5")
    scorer = LlmJudgeScorer(**{**JUDGE, "rubric": "{{ input.text }}|{{ output }}"})
    context = ScoreContext(judge=judge, render_template=templates.render)
    result = await scorer.ascore(ITEM, "out", context)
    assert result.value == 0.5
    assert "RUBRIC:\nAda met Babbage.|out\n" in judge.calls[0][2][1]["content"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "error",
    [
        AdapterError("HTTP 500 from judge", retryable=True, kind="http_500"),
        RuntimeError("boom"),
    ],
)
async def test_judge_failure_scores_zero(error):
    scorer = LlmJudgeScorer(**JUDGE)
    result = await scorer.ascore(ITEM, "x", context_for(RecordingJudge(error=error)))
    assert result.value == 0.0
    assert result.error.startswith("judge call failed: ")


@pytest.mark.asyncio
async def test_no_judge_and_unreadable_replies():
    scorer = LlmJudgeScorer(**JUDGE)
    missing = await scorer.ascore(ITEM, "x", context_for(None))
    assert (missing.value, missing.error) == (0.0, "no judge available")
    vague = await scorer.ascore(ITEM, "x", context_for(RecordingJudge("Looks fine")))
    assert vague.value == 0.0
    assert "no grade" in vague.error
    assert vague.detail == {"raw": "Looks fine", "parsed": None}


@pytest.mark.asyncio
async def test_bad_rubric_and_scale_score_zero():
    judge = RecordingJudge()
    undefined = LlmJudgeScorer(**{**JUDGE, "rubric": "{{ nope }}"})
    result = await undefined.ascore(ITEM, "x", context_for(judge))
    assert "cannot render rubric" in result.error
    empty = LlmJudgeScorer(**JUDGE, scale=[5, 5])
    assert "empty" in (await empty.ascore(ITEM, "x", context_for(judge))).error
    assert judge.calls == []


def test_judge_is_async_only():
    with pytest.raises(TypeError):
        LlmJudgeScorer(**JUDGE).score(ITEM, "x", ScoreContext())
