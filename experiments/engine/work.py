"""What the runner's parts hand each other: a run ready to send, and the
outbox of finished results the writer empties."""

from __future__ import annotations

from dataclasses import dataclass, field

from experiments.engine import cache
from experiments.engine.store.records import JudgeUsage, RunResult


@dataclass
class Prepared:
    run_id: int
    config: dict
    item: tuple
    sample: int
    messages: list[dict]
    body: dict
    key: str
    # Why the prompt could not be rendered for this item (a template over the
    # render limits, say): the run fails with it and nothing is sent.
    error: str = ""


@dataclass
class Outbox:
    """Finished runs and the judge's fresh responses, waiting for the writer.

    ``take`` swaps both lists for empty ones: never hold on to one across an
    await (append a result only once it is complete), or what is added lands
    in a list that was already written, and is lost."""

    results: list[RunResult] = field(default_factory=list)
    judge_entries: list[cache.Entry] = field(default_factory=list)
    # What a pipeline's stage calls spent, counted when they are made: a run
    # stopped between stages never reaches the writer, its calls still do.
    spent: JudgeUsage = field(default_factory=JudgeUsage)
    # Cache key -> runs served a stage answer this sweep fetched itself (the
    # cache's "calls saved" count them like hits on stored entries).
    key_hits: dict[tuple[str, str], int] = field(default_factory=dict)

    def take(self) -> tuple[list, list[cache.Entry], JudgeUsage, dict]:
        taken = self.results, self.judge_entries, self.spent, self.key_hits
        self.results, self.judge_entries = [], []
        self.spent, self.key_hits = JudgeUsage(), {}
        return taken
