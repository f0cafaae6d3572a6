"""What the writer stores for a finished run: its row, its scores, and what
its llm_judge calls used."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from adapters.base import Completion
from experiments.engine import cache


class ScoreRow(NamedTuple):
    scorer: str
    value: float
    weight: float
    detail: object
    error: str


@dataclass
class JudgeUsage:
    """What a run's llm_judge calls used. ``calls``: requests this run sent
    (retries and failures included). Tokens and cost: of every reply it got,
    from the cache or a call it shared included (the run's totals); the
    ``sent_`` ones only of replies its own calls fetched (what the sweep
    spent). ``cost`` stays None unless the judge model has a price."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = None
    sent_prompt_tokens: int = 0
    sent_completion_tokens: int = 0
    sent_cost: float = 0.0

    def add(
        self, completion: Completion, cost: float | None, *, calls: int, sent: bool
    ) -> None:
        self.calls += calls
        prompt, output = (
            completion.prompt_tokens or 0,
            completion.completion_tokens or 0,
        )
        self.prompt_tokens += prompt
        self.completion_tokens += output
        if cost is not None:
            self.cost = (self.cost or 0.0) + cost
        if sent:
            self.sent_prompt_tokens += prompt
            self.sent_completion_tokens += output
            self.sent_cost += cost or 0.0

    def merge(self, other: JudgeUsage) -> None:
        self.calls += other.calls
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        if other.cost is not None:
            self.cost = (self.cost or 0.0) + other.cost
        self.sent_prompt_tokens += other.sent_prompt_tokens
        self.sent_completion_tokens += other.sent_completion_tokens
        self.sent_cost += other.sent_cost

    def as_detail(self) -> dict:
        return {
            "calls": self.calls,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cost": self.cost,
        }


@dataclass
class RunResult:
    """What the writer stores for one finished run."""

    run_id: int
    status: str
    messages: list | None = None
    output_text: str = ""
    output_json: object = None
    raw_response: dict | None = None
    served_model: str = ""
    cache_key: str = ""
    cache_hit: bool = False
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost: float | None = None
    latency_ms: float | None = None
    score: float | None = None
    error_kind: str = ""
    error_message: str = ""
    attempts: int = 0
    scores: list[ScoreRow] = field(default_factory=list)
    cached_id: int | None = None  # the cache entry it was served from
    new_cache_entry: cache.Entry | None = None
    called: bool = False  # an HTTP request was actually sent for it
    # The judge's part, added to the run's tokens and cost when written
    # (the fields above are the model's own: the cache and scorers see those).
    judge: JudgeUsage | None = None
    # A pipeline's: its stages as run (``Run.trace``), what its stages used
    # (added to the run's totals; the sweep's are counted per call, by
    # ``Outbox.spent``) and the cache entries they were served from.
    trace: list[dict] | None = None
    upstream: JudgeUsage | None = None
    upstream_hits: list[int] = field(default_factory=list)
