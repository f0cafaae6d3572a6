"""``llm_judge``: another model grades the output against a rubric.

The judge's reply is free text; ``parse_judge_score`` reads the grade out of
it. The engine supplies ``ScoreContext.judge``, which goes through the same
adapter, limits and cache as the runs.
"""

from __future__ import annotations

import json
import re
from typing import ClassVar

from scoring.base import BaseScorer, ScoreContext, ScoreResult, clamp

DEFAULT_SCALE = (0, 10)
DEFAULT_PARAMS = {"temperature": 0, "max_tokens": 64}

_NUM = r"-?\d+(?:\.\d+)?"
# Not inside a word or a longer number ("gpt4", "v1.5", "3rd").
_NUMBER = re.compile(rf"(?<![\w.]){_NUM}(?![^\W\d_])")
_RATIO_AFTER = re.compile(rf"[*\s]*(?:/|out\s+of)[*\s]*({_NUM})", re.IGNORECASE)
_DENOMINATOR_BEFORE = re.compile(r"(?:/|out\s+of|scale\s+of)[*\s]*$", re.IGNORECASE)
_KEYWORD_BEFORE = re.compile(
    r"\b(?:score|rating|grade)[*\s]*(?:is|of|[:=])?[*\s]*$", re.IGNORECASE
)
# "0-10", "0 \u2013 10" (en dash) or "0 to 10" names the scale, not a grade.
_RANGE_BETWEEN = re.compile(r"\s*(?:-|\u2013|to)\s*$", re.IGNORECASE)
_THINKING = re.compile(r"<think>.*?</think>", re.IGNORECASE | re.DOTALL)
_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
]
_WORD = re.compile(rf"\b({'|'.join(_WORDS)})\b", re.IGNORECASE)


def parse_judge_score(text: str, lo: float, hi: float) -> float | None:
    """The grade in a judge's free-text reply, or None if there is none on
    the scale [lo, hi].

    In order of preference: the first "N/hi" or "N out of hi" (a ratio over
    the scale's top is the grade, even after other numbers); the first
    number after "score", "rating" or "grade"; the first plain number in
    [lo, hi]; the first "N/M" with another M. A ratio or labelled number
    outside the scale gives None rather than a guess. Numbers naming the
    scale ("0-10", "out of 10", "scale of 10") are never the grade. Number
    words zero..ten are read only when the reply has no digits, so "one
    error, score 6" is 6; closed ``<think>`` blocks are ignored.
    """
    text = _THINKING.sub(" ", text or "")
    if not re.search(r"\d", text):
        text = _WORD.sub(lambda m: str(_WORDS.index(m[1].lower())), text)
    numbers = [(m, float(m[0])) for m in _NUMBER.finditer(text)]
    on_scale = lambda n: lo <= n <= hi  # noqa: E731
    excluded = set()
    ratios: dict[int, float] = {}  # index -> denominator
    for i, (match, value) in enumerate(numbers):
        before = text[max(0, match.start() - 30) : match.start()]
        if _DENOMINATOR_BEFORE.search(before):
            excluded.add(i)
        ratio = _RATIO_AFTER.match(text, match.end())
        if ratio:
            ratios[i] = float(ratio[1])
        if i + 1 < len(numbers) and (value, numbers[i + 1][1]) == (lo, hi):
            between = text[match.end() : numbers[i + 1][0].start()]
            if _RANGE_BETWEEN.match(between):
                excluded |= {i, i + 1}
    for i, denominator in ratios.items():
        if denominator == hi and i not in excluded:
            value = numbers[i][1]
            return value if on_scale(value) else None
    for i, (match, value) in enumerate(numbers):
        before = text[max(0, match.start() - 30) : match.start()]
        if i not in excluded and _KEYWORD_BEFORE.search(before):
            return value if on_scale(value) else None
    for i, (_match, value) in enumerate(numbers):
        if i not in excluded and i not in ratios and on_scale(value):
            return value
    for i in ratios:
        if i not in excluded and on_scale(numbers[i][1]):
            return numbers[i][1]
    return None


def judge_messages(
    rubric: str, input: dict, output: str, lo: float, hi: float
) -> list[dict]:
    """The judge's prompt. The user message's line "OUTPUT:" starts the graded
    output (the simulator judge relies on it), so it comes last."""
    system = (
        "You are a strict grader. Grade the OUTPUT strictly by the RUBRIC, "
        "considering the INPUT it answers. Reply with a single number between "
        f"{lo:g} and {hi:g} (higher is better) and nothing else."
    )
    user = (
        f"RUBRIC:\n{rubric}\n\n"
        f"INPUT:\n{json.dumps(input, ensure_ascii=False, indent=2, default=str)}\n\n"
        f"OUTPUT:\n{output}"
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


class LlmJudgeScorer(BaseScorer):
    """A judge model's grade of the output by ``rubric``, mapped from
    ``scale`` [lo, hi] (default [0, 10]) to [0, 1].

    ``rubric`` is a template that sees the item's variables plus ``output``
    and ``input``. ``params`` replaces (not merges with) the default
    ``{"temperature": 0, "max_tokens": 64}``. A failed judge call, a missing
    judge or a reply without a grade on the scale scores 0 with an error.
    """

    type = "llm_judge"
    is_async = True
    options: ClassVar[dict] = {
        "endpoint": {"type": "string"},
        "model": {"type": "string"},
        "rubric": {"type": "string"},
        "scale": {
            "type": "array",
            "items": {"type": "number"},
            "minItems": 2,
            "maxItems": 2,
        },
        "params": {"type": "object"},
    }
    required: ClassVar[list[str]] = ["endpoint", "model", "rubric"]
    template_options = ("rubric",)

    async def ascore(
        self, input: dict, output: str, context: ScoreContext
    ) -> ScoreResult:
        if context.judge is None:
            return ScoreResult(0.0, error="no judge available")
        try:
            lo, hi = self.config.get("scale") or DEFAULT_SCALE
        except (TypeError, ValueError):
            return ScoreResult(0.0, error="scale must be [lo, hi]")
        if not hi > lo:
            return ScoreResult(0.0, error=f"scale [{lo}, {hi}] is empty")
        output = output or ""
        try:
            # The validator lets a rubric name ``input`` and ``output`` on top
            # of the item variables, so render with the same set.
            variables = {**context.variables, "input": input, "output": output}
            rubric = context.render_template(self.config["rubric"], variables)
        except Exception as exc:  # an undefined variable, a sandbox refusal
            return ScoreResult(0.0, error=f"cannot render rubric: {exc}")
        messages = judge_messages(rubric, input, output, lo, hi)
        params = self.config.get("params", DEFAULT_PARAMS)
        try:
            reply = await context.judge(
                self.config["endpoint"], self.config["model"], messages, dict(params)
            )
        except Exception as exc:  # AdapterError or anything else: a 0, not a crash
            return ScoreResult(0.0, error=f"judge call failed: {exc}")
        reply = reply if isinstance(reply, str) else str(reply)
        parsed = parse_judge_score(reply, lo, hi)
        detail = {"raw": reply[:500], "parsed": parsed}
        if parsed is None:
            return ScoreResult(
                0.0, detail, error=f"no grade between {lo:g} and {hi:g} in the reply"
            )
        return ScoreResult(clamp((parsed - lo) / (hi - lo)), detail)
