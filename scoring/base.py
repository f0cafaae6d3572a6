"""The scorer contract.

A scorer turns one run's output into a float in [0, 1]. A scorer that cannot
score (invalid JSON for ``json_f1``, a judge that failed) returns 0 with the
reason in ``error``; it never raises for bad outputs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

# The engine passes this to llm_judge: (endpoint name, model, messages, params)
# -> the judge's reply text. It goes through the same adapter, limits and cache
# as the runs, and raises adapters.base.AdapterError when the judge call fails.
JudgeCall = Callable[[str, str, list[dict], dict], Awaitable[str]]
# (template source, variables) -> the rendered text. Scoring has no template
# engine of its own: the engine passes the one prompts render with (bounded,
# sandboxed), so a scorer's templates follow the same rules.
RenderTemplate = Callable[[str, dict], str]


def as_written(source: str, variables: dict) -> str:
    """No template engine given: a template is used as written."""
    return source


@dataclass
class ScoreResult:
    value: float
    detail: dict | None = None
    error: str = ""


@dataclass
class ScoreContext:
    """What a scorer may know about the run besides input and output."""

    expected: Any = None
    tags: list[str] = field(default_factory=list)
    latency_ms: float | None = None
    cost: float | None = None
    output_json: Any = None  # the parsed output when it is valid JSON, else None
    judge: JudgeCall | None = None
    # Renders a template option (e.g. contains.value "{{ expected.city }}")
    # with this run's item variables.
    render: Callable[[str], str] = field(default=lambda text: text)
    # The item's template variables (what the run's prompt saw), and the
    # renderer, for scorers that render with extra variables of their own
    # (llm_judge's rubric also sees ``input`` and ``output``), which
    # ``render`` cannot take.
    variables: dict = field(default_factory=dict)
    render_template: RenderTemplate = as_written


def clamp(value: float) -> float:
    """``value`` forced into [0, 1]; NaN becomes 0 (a score must be comparable)."""
    if value != value:  # NaN
        return 0.0
    return min(1.0, max(0.0, float(value)))


class BaseScorer:
    """Subclasses set ``type`` and ``options`` (JSON Schema properties of their
    options, used by the spec validator) and implement ``score``; a scorer
    that needs I/O sets ``is_async`` and implements ``ascore`` instead."""

    type: ClassVar[str] = ""
    options: ClassVar[dict] = {}
    required: ClassVar[list[str]] = []
    one_of_required: ClassVar[list[str]] = []
    template_options: ClassVar[tuple[str, ...]] = ()
    is_async: ClassVar[bool] = False

    def __init__(self, **options: Any):
        self.config = options

    def score(self, input: dict, output: str, context: ScoreContext) -> ScoreResult:
        """Score synchronously (the default for pure scorers)."""
        raise TypeError(f"{self.type} is asynchronous; await ascore()")

    async def ascore(
        self, input: dict, output: str, context: ScoreContext
    ) -> ScoreResult:
        return self.score(input, output, context)
