"""Scoring one run: every scorer of the spec, then the weighted mean."""

from __future__ import annotations

from collections.abc import Awaitable
from functools import partial
from typing import Protocol

from experiments.engine.store.records import JudgeUsage, RunResult, ScoreRow
from experiments.spec import templates
from scoring.base import ScoreContext, ScoreResult
from scoring.registry import build_scorers


class UsageJudge(Protocol):
    """A ``scoring.base.JudgeCall`` that also takes a ``usage`` keyword (a
    ``JudgeUsage`` to add to): ``engine.judging.Judge``."""

    def __call__(
        self,
        endpoint: str,
        model: str,
        messages: list,
        params: dict,
        usage: JudgeUsage | None = None,
    ) -> Awaitable[str]: ...


class RunScorer:
    def __init__(self, spec_scorers: list[dict], judge: UsageJudge | None):
        self.scorers = build_scorers(spec_scorers)
        self.judge = judge

    async def score(self, result: RunResult, item: tuple) -> None:
        """Fill ``result.scores`` and the composite ``result.score``. A scorer
        that crashes scores 0 with the reason; it never fails the run."""
        input, expected, tags = item
        variables = templates.item_context(input, expected, tags)
        context = ScoreContext(
            expected=expected,
            tags=tags,
            latency_ms=result.latency_ms,
            cost=result.cost,
            output_json=result.output_json,
            judge=self.judge,
            render=lambda text: templates.render(text, variables),
            variables=variables,
            render_template=templates.render,
        )
        total = weights = 0.0
        for name, weight, scorer in self.scorers:
            usage = None
            try:
                if scorer.is_async:
                    if self.judge is not None:
                        # This scorer's calls, for its detail and the totals.
                        usage = JudgeUsage()
                        context.judge = partial(self.judge, usage=usage)
                    outcome = await scorer.ascore(input, result.output_text, context)
                else:
                    outcome = scorer.score(input, result.output_text, context)
            except Exception as exc:
                outcome = ScoreResult(0.0, error=f"scorer failed: {exc}")
            detail = outcome.detail
            if usage is not None and (usage.calls or usage.prompt_tokens):
                if not isinstance(detail, dict):
                    detail = {} if detail is None else {"detail": detail}
                detail = {**detail, "judge": usage.as_detail()}
                if result.judge is None:
                    result.judge = JudgeUsage()
                result.judge.merge(usage)
            value = min(1.0, max(0.0, float(outcome.value)))
            result.scores.append(
                ScoreRow(name, value, weight, detail, outcome.error[:2000])
            )
            total += weight * value
            weights += weight
        result.score = total / weights if weights else None
