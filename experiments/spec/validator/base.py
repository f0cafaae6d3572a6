"""What every section of the validator shares: the caller's context, the
result, and the checker's state (the document, the errors so far, the items
the templates are checked against)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from experiments.dataset_io import ItemData
from experiments.hashing import canonical_json
from experiments.spec.concurrency import InFlightCap
from experiments.spec.errors import SpecError

DEFAULT_PROJECT = "default"
NO_STREAMING = "streaming is not supported; responses are read whole"


@dataclass
class SpecContext:
    """What the validator may look up outside the document."""

    datasets: Callable[[str], list[ItemData] | None] = lambda name: None
    endpoints: Mapping[str, dict] = field(default_factory=dict)  # name -> {prices}
    allow_file: bool = False  # `dataset.file` is for the CLI only
    base_dir: Path = field(default_factory=Path.cwd)
    dataset_file: Path | None = None  # --dataset-file overrides `dataset`
    # Sweep size limits; None reads MAX_CONFIGS / MAX_RUNS from the settings.
    max_configs: int | None = None
    max_runs: int | None = None


@dataclass
class SpecResult:
    errors: list[SpecError]
    spec: dict | None = None
    items: list[ItemData] = field(default_factory=list)  # after `limit`
    all_items: list[ItemData] = field(default_factory=list)
    configs: int = 0
    samples: int = 0
    runs: int = 0
    estimated_cost: float | None = None
    unpriced_models: list[str] = field(default_factory=list)
    # Per endpoint called: calls in flight at most, and which setting caps it.
    concurrency: list[InFlightCap] = field(default_factory=list)
    # The full grid's runs and cost, to compare a budget's (random, guided) with.
    grid_runs: int = 0
    grid_estimated_cost: float | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        cost = (
            "n/a (no prices)"
            if self.estimated_cost is None
            else f"${self.estimated_cost:.4f}"
        )
        if self.unpriced_models and self.estimated_cost is not None:
            cost += f" (no prices for {', '.join(self.unpriced_models)})"
        found = (
            f"{self.configs} configs x {len(self.items)} items x {self.samples} "
            f"samples = {self.runs} runs, est. cost {cost}"
        )
        if self.spec and self.spec["strategy"]["type"] == "guided":
            grid = self.grid_estimated_cost
            found = (
                f"guided search: a budget of {self.runs} runs (at most), est. "
                f"cost {cost}; the full grid: {self.configs} configs x "
                f"{len(self.items)} items x {self.samples} samples = "
                f"{self.grid_runs} runs, est. cost "
                + ("n/a (no prices)" if grid is None else f"${grid:.4f}")
            )
        return found


class Checker:
    """One validation's state. The sections (one module each) read the
    document through it and add their errors to it; each skips parts whose
    shape is already wrong (the schema reported those), so one bad field
    gives one error."""

    def __init__(self, doc: dict, context: SpecContext, errors: list[SpecError]):
        self.doc = doc
        self.context = context
        self.errors = errors
        self.items: list[ItemData] = []  # after the dataset's `limit`
        self.all_items: list[ItemData] = []
        self.prompt_chars: dict[str, float] = {}  # canonical name -> mean length
        self.prompt_names: set[str] = set()  # pipeline-wide
        self._render_deadline: float | None = None

    def error(self, path: str, message: str) -> None:
        self.errors.append(SpecError(path, message))

    def reported(self, path: str) -> bool:
        return any(e.path == path for e in self.errors)

    @property
    def project(self) -> str:
        return self.doc.get("project") or DEFAULT_PROJECT

    def unknown_endpoint(self, name: str) -> str:
        return (
            f'unknown endpoint "{name}": define it under endpoints or store it in '
            f'project "{self.project}"'
        )

    def render_deadline(self) -> float:
        """When rendering every template for every item must be done by: one
        allowance for the whole spec, so many slow items cannot add up."""
        if self._render_deadline is None:
            from django.conf import settings

            allowed = settings.TEMPLATE_VALIDATE_MS / 1000
            self._render_deadline = time.monotonic() + allowed
        return self._render_deadline


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def names_of(entries: list[dict]) -> set[str]:
    return {e["name"] for e in entries if isinstance(e.get("name"), str)}


def by_value(value: Any) -> str:
    """The spelling the config hash gives ``value`` (numbers by value)."""
    try:
        return canonical_json(value)
    except (TypeError, ValueError):  # a date or NaN: reported already
        return canonical(value)


def canonical(value: Any) -> str:
    # repr: a non-JSON value (already reported) still gets a spelling.
    return json.dumps(value, sort_keys=True, default=repr)
