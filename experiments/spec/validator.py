"""Validate an experiment spec: every error at once, each with its field path.

``validate_spec(document, context)`` is pure: the caller supplies what is
stored (datasets, endpoints) through a ``SpecContext``, so the same function
serves the CLI, the API, MCP and the dashboard and reads the same everywhere.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta
from jsonschema import Draft202012Validator

from adapters.endpoint_policy import base_url_problem, key_env_problem
from adapters.registry import ADAPTERS
from experiments.dataset_io import DatasetFileError, ItemData, load_dataset_file
from experiments.hashing import canonical_json
from experiments.nul import NUL_MESSAGE
from experiments.pricing import price_of
from experiments.spec import stages as stage_names
from experiments.spec import templates
from experiments.spec.concurrency import InFlightCap, in_flight_caps
from experiments.spec.errors import SpecError, format_path, schema_errors
from experiments.spec.limits import config_count, size_errors, stage_choices
from experiments.spec.params import param_problem
from experiments.spec.schema import SPEC_SCHEMA
from experiments.spec.stages import all_scorers, stages_of
from scoring.options import COMMON_OPTIONS, scorer_options

AVAILABLE_STRATEGIES = ("grid", "random")
DEFAULT_PROJECT = "default"
DEFAULT_OUTPUT_TOKENS = 256  # for cost estimates when max_tokens is not swept
_ENDPOINT_DEFAULTS = {
    "kind": "openai",
    "api_key_env": "",
    "max_concurrency": 8,
    "rpm": None,
    "tpm": None,
    "timeout_s": 60.0,
    "prices": {},
}
_SPEC_VALIDATOR = Draft202012Validator(SPEC_SCHEMA)
_NO_STREAMING = "streaming is not supported; responses are read whole"
# What makes an endpoint the one stored under its name (same_as_stored).
_ENDPOINT_IDENTITY = ("kind", "base_url", "api_key_env")


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
        return (
            f"{self.configs} configs x {len(self.items)} items x {self.samples} "
            f"samples = {self.runs} runs, est. cost {cost}"
        )


def validate_spec(document: Any, context: SpecContext | None = None) -> SpecResult:
    context = context or SpecContext()
    errors = [
        *_non_json_values(document, ()),
        *schema_errors(_SPEC_VALIDATOR, document),
    ]
    if not isinstance(document, dict):
        return SpecResult(errors)
    checker = _Checker(document, context, errors)
    spec = checker.run()
    if errors:
        return SpecResult(sorted(errors, key=lambda e: e.path))
    return checker.result(spec)


def _non_json_values(value: Any, path: tuple) -> list[SpecError]:
    """YAML can produce dates, sets and NaN; the spec is JSON, so reject them.
    NUL characters too: PostgreSQL cannot store them in text or JSON."""
    if isinstance(value, dict):
        found = []
        for key, child in value.items():
            if not isinstance(key, str):
                found.append(
                    SpecError(format_path(path), f"key {key!r} is not a string")
                )
            elif "\x00" in key:
                shown = key.replace("\x00", "\\x00")
                found.append(SpecError(format_path((*path, shown)), NUL_MESSAGE))
                continue
            found += _non_json_values(child, (*path, str(key)))
        return found
    if isinstance(value, list):
        return [e for i, v in enumerate(value) for e in _non_json_values(v, (*path, i))]
    if isinstance(value, float) and not math.isfinite(value):
        return [SpecError(format_path(path), "must be a finite number")]
    if isinstance(value, str) and "\x00" in value:
        return [SpecError(format_path(path), NUL_MESSAGE)]
    if value is None or isinstance(value, str | int | float | bool):
        return []
    return [
        SpecError(
            format_path(path),
            f"must be a JSON value, got {type(value).__name__} (quote it in YAML)",
        )
    ]


class _Checker:
    """The rules beyond shape. Each check skips parts whose shape is already
    wrong (the schema reported those), so one bad field gives one error."""

    def __init__(self, doc: dict, context: SpecContext, errors: list[SpecError]):
        self.doc = doc
        self.context = context
        self.errors = errors
        self.items: list[ItemData] = []
        self.all_items: list[ItemData] = []
        self.prompt_chars: dict[str, float] = {}
        self.prompt_names: set[str] = set()

    def error(self, path: str, message: str) -> None:
        self.errors.append(SpecError(path, message))

    def run(self) -> dict:
        endpoints = self.endpoints()
        dataset = self.dataset()
        stages = self.stages(endpoints)
        scorers = self.scorers(endpoints, self.doc.get("scorers"), "scorers")
        strategy = self.strategy()
        models = []  # every stage's, once: the endpoints the sweep calls
        for stage in stages:
            models += [m for m in stage["models"] if m not in models]
        spec = {
            "version": 1,
            "name": self.doc.get("name"),
            "project": self.doc.get("project") or DEFAULT_PROJECT,
            "description": self.doc.get("description", ""),
            "endpoints": endpoints,
            "dataset": dataset,
            "stages": stages,
            # Every stage's prompts (stored as prompt versions) and models.
            "prompts": [p for stage in stages for p in stage["prompts"]],
            "models": models,
            "samples": self.doc.get("samples", 1),
            "scorers": scorers,
            "strategy": strategy,
            "concurrency": self.doc.get("concurrency", 16),
        }
        if "stages" not in self.doc:  # the single-stage form, as it always was
            spec["params"] = stages[0]["params"]
        return spec

    # --- sections --------------------------------------------------------
    def endpoints(self) -> list[dict]:
        result, seen = [], set()
        for i, entry in enumerate(_list(self.doc.get("endpoints"))):
            if not isinstance(entry, dict):
                continue
            if "api_key" in entry:
                self.errors[:] = [
                    e for e in self.errors if e.path != f"endpoints[{i}].api_key"
                ]
                self.error(
                    f"endpoints[{i}].api_key",
                    "secrets are never written in a spec; use api_key_env or store "
                    "the key on the endpoint in the admin or API",
                )
            kind = entry.get("kind", _ENDPOINT_DEFAULTS["kind"])
            if isinstance(kind, str) and kind not in ADAPTERS:
                self.error(
                    f"endpoints[{i}].kind",
                    f'unknown adapter kind "{kind}"; known: '
                    + ", ".join(sorted(ADAPTERS)),
                )
            self.endpoint_policy(i, entry)
            name = entry.get("name")
            if isinstance(name, str) and _canonical(name) in seen:
                self.error(f"endpoints[{i}].name", f'duplicate endpoint name "{name}"')
            seen.add(_canonical(name))
            stored = self.context.endpoints.get(name) if isinstance(name, str) else None
            if stored is not None:
                self.same_as_stored(i, entry, stored)
            result.append({**_ENDPOINT_DEFAULTS, **(stored or {}), **entry})
        return result

    def same_as_stored(self, i: int, entry: dict, stored: Mapping) -> None:
        """A spec never changes a stored endpoint: other experiments and
        their sweeps use it too. Where it is (kind, base_url, api_key_env)
        must match the stored one's; limits and prices may differ and then
        apply to this experiment's sweeps only. Settings the spec leaves out
        are the stored ones."""
        from adapters.urls import normalise_base_url

        project = self.doc.get("project") or DEFAULT_PROJECT
        reported = {e.path for e in self.errors}  # one bad field, one error
        for key, given in entry.items():
            path = f"endpoints[{i}].{key}"
            if key not in _ENDPOINT_IDENTITY or key not in stored or path in reported:
                continue
            have = stored[key]
            if key == "base_url" and isinstance(given, str):
                given, have = normalise_base_url(given), normalise_base_url(have)
            if given != have:
                self.error(
                    path,
                    f'endpoint "{entry["name"]}" is stored in project "{project}" '
                    f"with {key} {json.dumps(have)}, not {json.dumps(given)}; a "
                    "spec cannot move a stored endpoint: leave the setting out "
                    "to use the stored one, give this endpoint another name, or "
                    "change the stored endpoint in the admin or the API",
                )

    def endpoint_policy(self, i: int, entry: dict) -> None:
        """What the operator allows endpoints (adapters/endpoint_policy.py)."""
        paths = {e.path for e in self.errors}
        for key, check in (
            ("base_url", base_url_problem),
            ("api_key_env", key_env_problem),
        ):
            path, value = f"endpoints[{i}].{key}", entry.get(key)
            if isinstance(value, str) and path not in paths:
                problem = check(value)
                if problem:
                    self.error(path, problem)

    def dataset(self) -> dict:
        spec = self.doc.get("dataset")
        if not isinstance(spec, dict):
            return {}
        if self.context.dataset_file is not None:
            spec = {"file": str(self.context.dataset_file), **_only(spec, "limit")}
            self.context.allow_file = True
        sources = [key for key in ("name", "items", "file") if key in spec]
        if len(sources) != 1:
            self.error(
                "dataset",
                "give exactly one of name, items or file"
                + (f" (got {', '.join(sources)})" if sources else ""),
            )
            return spec
        source = sources[0]
        if source == "name" and isinstance(spec["name"], str):
            items = self.context.datasets(spec["name"])
            if items is None:
                project = self.doc.get("project") or DEFAULT_PROJECT
                self.error(
                    "dataset.name",
                    f'no dataset "{spec["name"]}" in project "{project}"',
                )
            else:
                self.items = items
        elif source == "items" and isinstance(spec["items"], list):
            self.items = [
                ItemData(i["input"], i.get("expected"), list(i.get("tags", [])))
                for i in spec["items"]
                if isinstance(i, dict) and isinstance(i.get("input"), dict)
            ]
        elif source == "file" and isinstance(spec["file"], str):
            if not self.context.allow_file:
                self.error(
                    "dataset.file",
                    "a file is only read by the command line; upload the dataset "
                    "and refer to it by name, or give the items inline",
                )
            else:
                self.items = self._load_file(spec["file"])
        if not self.items and source != "name" and not self.errors:
            self.error(f"dataset.{source}", "the dataset has no items")
        self.all_items = self.items
        limit = spec.get("limit")
        if isinstance(limit, int) and limit >= 1:
            self.items = self.items[:limit]
        return spec

    def _load_file(self, name: str) -> list[ItemData]:
        path = Path(name)
        if not path.is_absolute():
            path = self.context.base_dir / path
        try:
            return load_dataset_file(path)
        except DatasetFileError as exc:
            for row in exc.errors:
                self.error("dataset.file", f"{path.name}: {row}")
            return []

    def stages(self, endpoints: list[dict]) -> list[dict]:
        """The stages, checked in order; the single-stage form is one stage
        named ``main`` whose paths are the top-level ones."""
        if "stages" not in self.doc:
            return [self.stage(self.doc, "", stage_names.MAIN, None, endpoints)]
        for key in ("prompts", "models", "params"):
            if key in self.doc:
                self.error(
                    key,
                    "a spec has either stages or top-level prompts/models/params, "
                    f"not both; move {key} into a stage",
                )
        entries = _list(self.doc["stages"])
        every = [e.get("name") if isinstance(e, dict) else None for e in entries]
        result, seen = [], set()
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            name = entry.get("name")
            if isinstance(name, str) and name in seen:
                self.error(f"stages[{i}].name", f'duplicate stage name "{name}"')
            elif isinstance(name, str) and hasattr(dict, name):
                # ``stages.items`` would be the mapping's method, not the stage.
                self.error(f"stages[{i}].name", f'"{name}" is reserved; rename it')
            seen.add(name)
            earlier = [n for n in every[:i] if isinstance(n, str)]
            refs = (earlier, [n for n in every if isinstance(n, str)])
            result.append(self.stage(entry, f"stages[{i}].", name, refs, endpoints))
        return result

    def stage(
        self,
        entry: dict,
        prefix: str,
        name: Any,
        refs: tuple[list[str], list[str]] | None,
        endpoints: list[dict],
    ) -> dict:
        scorers = []
        if refs is not None:  # a pipeline's stage scorers: named after it
            scorers = self.scorers(endpoints, entry.get("scorers"), f"{prefix}scorers")
            for scorer, raw in zip(scorers, _list(entry.get("scorers")), strict=False):
                scorer["name"] = f"{name}.{scorer['name']}"
                # Counted in the composite only when weighted on purpose.
                scorer["weight"] = raw.get("weight", 0.0)
        return {
            "name": name,
            "prompts": self.prompts(entry.get("prompts"), prefix, refs),
            "models": self.models(endpoints, entry.get("models"), prefix),
            "params": self.params(entry.get("params"), prefix),
            "scorers": scorers,
        }

    def prompts(
        self, entries: Any, prefix: str, refs: tuple[list[str], list[str]] | None
    ) -> list[dict]:
        result, seen = [], self.prompt_names  # prompt names are pipeline-wide
        for i, entry in enumerate(_list(entries)):
            if not isinstance(entry, dict):
                continue
            path = f"{prefix}prompts[{i}]"
            name = entry.get("name")
            if isinstance(name, str) and _canonical(name) in seen:
                self.error(f"{path}.name", f'duplicate prompt name "{name}"')
            seen.add(_canonical(name))
            has_messages, has_template = "messages" in entry, "template" in entry
            if has_messages == has_template:
                self.error(path, "give exactly one of messages or template")
                continue
            if has_template:
                messages = [{"role": "user", "content": entry["template"]}]
                sources = [(f"{path}.template", entry["template"])]
            else:
                messages = _list(entry["messages"])
                sources = [
                    (f"{path}.messages[{j}].content", m.get("content"))
                    for j, m in enumerate(messages)
                    if isinstance(m, dict)
                ]
            chars = [self.check_template(p, s, stages=refs) for p, s in sources]
            self.prompt_chars[_canonical(name)] = sum(chars)
            result.append({"name": name, "messages": messages})
        return result

    def models(self, endpoints: list[dict], entries: Any, prefix: str) -> list[dict]:
        known = _names(endpoints) | set(self.context.endpoints)
        result, seen = [], set()
        for i, entry in enumerate(_list(entries)):
            if not isinstance(entry, dict):
                continue
            endpoint = entry.get("endpoint")
            path = f"{prefix}models[{i}]"
            if isinstance(endpoint, str) and endpoint not in known:
                self.error(f"{path}.endpoint", self._unknown_endpoint(endpoint))
            pair = _canonical([endpoint, entry.get("model")])
            if pair in seen:
                self.error(
                    path,
                    f'"{entry.get("model")}" on "{endpoint}" is listed twice',
                )
            seen.add(pair)
            result.append({"endpoint": endpoint, "model": entry.get("model")})
        return result

    def _unknown_endpoint(self, name: str) -> str:
        project = self.doc.get("project") or DEFAULT_PROJECT
        return (
            f'unknown endpoint "{name}": define it under endpoints or store it in '
            f'project "{project}"'
        )

    def params(self, params: Any, prefix: str) -> dict[str, list]:
        if not isinstance(params, dict):
            return {}
        axes = {}
        for key, value in params.items():
            path = f"{prefix}params.{key}"
            if key == "stream":
                self.error(path, _NO_STREAMING)
                continue
            if key in ("model", "messages"):
                self.error(
                    path, f"{key} is set by the spec's {key}s/prompts, not params"
                )
                continue
            values = value if isinstance(value, list) else [value]
            if not values:
                self.error(path, "an axis needs at least one value")
                continue
            # As the config hash compares them (1 == 1.0): two spellings of
            # one value would be one config, not the two counted here.
            canon = [_by_value(v) for v in values]
            if len(set(canon)) != len(canon):
                self.error(path, "an axis lists the same value twice")
            if not any(e.path == path for e in self.errors):  # NaN, a date
                problems = (param_problem(key, v) for v in values)
                problem = next(filter(None, problems), None)
                if problem:
                    self.error(path, problem)
            axes[key] = values
        return axes

    def scorers(self, endpoints: list[dict], entries: Any, where: str) -> list[dict]:
        result, names = [], set()
        known_endpoints = _names(endpoints) | set(self.context.endpoints)
        known_scorers = scorer_options()
        for i, entry in enumerate(_list(entries)):
            if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
                continue
            path = f"{where}[{i}]"
            kind = entry["type"]
            options = known_scorers.get(kind)
            if options is None:
                self.error(
                    f"{path}.type",
                    f'unknown scorer "{kind}"; known: '
                    + ", ".join(sorted(known_scorers)),
                )
                continue
            schema = {
                "type": "object",
                "additionalProperties": False,
                "properties": {**COMMON_OPTIONS, **options["properties"]},
                "required": options.get("required", []),
            }
            self.errors += schema_errors(Draft202012Validator(schema), entry, path)
            group = options.get("oneOf_required")
            if group and sum(key in entry for key in group) != 1:
                self.error(path, f"give exactly one of {' or '.join(group)}")
            name = entry.get("name") or (
                f"{kind}:{entry['field']}"
                if isinstance(entry.get("field"), str)
                else kind
            )
            if _canonical(name) in names:
                self.error(f"{path}.name", f'duplicate scorer name "{name}"; set name')
            names.add(_canonical(name))
            judge_endpoint = entry.get("endpoint")
            if (
                kind == "llm_judge"
                and isinstance(judge_endpoint, str)
                and judge_endpoint not in known_endpoints
            ):
                self.error(f"{path}.endpoint", self._unknown_endpoint(judge_endpoint))
            if kind == "llm_judge":
                self.judge_params(path, entry.get("params"))
            for option in options["template_options"]:
                value = entry.get(option)
                extra = {"output": "", "input": {}} if option == "rubric" else None
                if isinstance(value, str):
                    self.check_template(f"{path}.{option}", value, extra)
                elif isinstance(value, list):
                    for j, text in enumerate(value):
                        if isinstance(text, str):
                            self.check_template(f"{path}.{option}[{j}]", text, extra)
            result.append({**entry, "name": name, "weight": entry.get("weight", 1.0)})
        return result

    def judge_params(self, path: str, params: Any) -> None:
        """A judge's request parameters, checked as the spec's axes are
        (one value each, not an axis)."""
        if not isinstance(params, dict):
            return  # the scorer's options schema reported it
        for key, value in params.items():
            where = f"{path}.params.{key}"
            if key == "stream":
                self.error(where, _NO_STREAMING)
            elif key in ("model", "messages"):
                self.error(where, f"{key} is set by the scorer's model and rubric")
            elif not any(e.path == where for e in self.errors):  # NaN, a date
                problem = param_problem(key, value)
                if problem:
                    self.error(where, problem)

    def strategy(self) -> dict:
        spec = self.doc.get("strategy") or {}
        if not isinstance(spec, dict):
            return {}
        strategy = {
            "type": spec.get("type", "grid"),
            "budget": spec.get("budget"),
            "seed": spec.get("seed", 0),
            "objectives": spec.get("objectives", ["score"]),
        }
        kind = strategy["type"]
        if kind == "guided":
            self.error(
                "strategy.type",
                f'"{kind}" search is not available in this release; use '
                f"{' or '.join(AVAILABLE_STRATEGIES)}",
            )
        if kind == "random" and strategy["budget"] is None:
            self.error("strategy.budget", "random search needs a budget (max runs)")
        return strategy

    # --- templates -------------------------------------------------------
    def check_template(
        self,
        path: str,
        source: Any,
        extra: dict | None = None,
        stages: tuple[list[str], list[str]] | None = None,
    ) -> float:
        """Check syntax and variables against every item (and, in a pipeline,
        ``stages`` = (earlier, every) stage names); return the mean rendered
        length (for the cost estimate)."""
        if not isinstance(source, str):
            return 0.0
        try:
            parsed = templates.parse_template(source)
            templates.compile_template(source)
        except jinja2.TemplateSyntaxError as exc:
            self.error(
                path, f"template syntax error at line {exc.lineno}: {exc.message}"
            )
            return 0.0
        uses_stages = False
        if stages is not None:
            refs, problems = stage_names.stage_refs(parsed)
            problems += [
                p
                for stage in sorted({s for s, _ in refs})
                if (p := stage_names.ref_problem(stage, *stages))
            ]
            for problem in problems:
                self.error(path, problem)
            if problems:
                return 0.0
            uses_stages = bool(refs)
            extra = {**(extra or {}), "stages": None}
        if not self.items:
            return float(len(source))
        names = meta.find_undeclared_variables(parsed) - set(extra or {})
        for name in sorted(names):
            missing = [
                n
                for n, item in enumerate(self.items, 1)
                if name not in item.input and name not in ("expected", "item")
            ]
            if missing:
                first = self.items[missing[0] - 1]
                self.error(
                    path,
                    f'variable "{name}" is not in {len(missing)} of {len(self.items)} '
                    f"items (first: item {missing[0]}, which has: "
                    f"{', '.join(sorted(first.input)) or 'no keys'})",
                )
        if any(e.path == path for e in self.errors):
            return 0.0
        if uses_stages:  # earlier outputs are unknown until the sweep runs
            return float(len(source))
        total = 0
        deadline = self.render_deadline()
        for n, item in enumerate(self.items, 1):
            context = templates.item_context(item.input, item.expected, item.tags)
            try:
                total += len(
                    templates.render(source, {**context, **(extra or {})}, deadline)
                )
            except templates.RENDER_ERRORS as exc:
                # Includes the render limits (time, loops, size): a hostile
                # template is a field error, never a 500 or a hang.
                reason = templates.render_error(exc)
                self.error(path, f"cannot render for item {n}: {reason}")
                return 0.0
        return total / len(self.items)

    def render_deadline(self) -> float:
        """When rendering every template for every item must be done by: one
        allowance for the whole spec, so many slow items cannot add up."""
        if getattr(self, "_render_deadline", None) is None:
            from django.conf import settings

            allowed = getattr(settings, "TEMPLATE_VALIDATE_MS", 10_000) / 1000
            self._render_deadline = time.monotonic() + allowed
        return self._render_deadline

    # --- totals ----------------------------------------------------------
    def result(self, spec: dict) -> SpecResult:
        configs = config_count(spec)
        samples = spec["samples"]
        total = configs * len(self.items) * samples
        budget = spec["strategy"]["budget"]
        runs = min(total, budget) if budget else total
        too_big = size_errors(
            spec, len(self.items), self.context.max_configs, self.context.max_runs
        )
        if too_big:
            return SpecResult(too_big)
        cost, unpriced = self.estimate_cost(spec, runs / total if total else 0.0)
        result = SpecResult(
            [], spec, self.items, self.all_items, configs, samples, runs, cost, unpriced
        )
        result.concurrency = self.in_flight(spec)
        return result

    def in_flight(self, spec: dict) -> list[InFlightCap]:
        """The effective cap of every endpoint the spec calls (its models'
        and its judges'), with the spec's settings over the stored ones."""
        used = {m["endpoint"] for m in spec["models"]} | {
            s["endpoint"] for s in all_scorers(spec) if s["type"] == "llm_judge"
        }
        settings = {
            **self.context.endpoints,
            **{e["name"]: e for e in spec["endpoints"]},
        }
        return in_flight_caps(
            spec["concurrency"], {name: settings.get(name, {}) for name in used}
        )

    def estimate_cost(self, spec: dict, fraction: float) -> tuple[float | None, list]:
        """Prompt tokens ~ rendered chars / 4; completion tokens = max_tokens
        (an upper bound), else a typical answer length."""
        prices = {e["name"]: e.get("prices") or {} for e in spec["endpoints"]}
        for name, stored in self.context.endpoints.items():
            prices.setdefault(name, stored.get("prices") or {})
        total, priced, unpriced = 0.0, False, []
        # A stage's call is shared by the configs that agree up to it: it is
        # made once per choice of the stages so far.
        calls = len(self.items) * spec["samples"] * fraction
        for stage in stages_of(spec):
            params = stage["params"]
            max_tokens = params.get("max_tokens", [DEFAULT_OUTPUT_TOKENS])
            param_sets = math.prod(len(v) for v in params.values())
            mean_out = sum(
                v if isinstance(v, int | float) and v else DEFAULT_OUTPUT_TOKENS
                for v in max_tokens
            ) / len(max_tokens)
            per_item = calls * param_sets
            for model, prompt in itertools.product(stage["models"], stage["prompts"]):
                price = prices.get(model["endpoint"], {}).get(model["model"])
                if not price:
                    label = f"{model['endpoint']}/{model['model']}"
                    if label not in unpriced:
                        unpriced.append(label)
                    continue
                priced = True
                chars = self.prompt_chars.get(_canonical(prompt["name"]), 0)
                total += per_item * (price_of(price, chars / 4, mean_out) or 0.0)
            calls *= stage_choices(stage)
        return (total if priced else None), unpriced


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _names(entries: list[dict]) -> set[str]:
    return {e["name"] for e in entries if isinstance(e.get("name"), str)}


def _only(mapping: dict, *keys: str) -> dict:
    return {k: mapping[k] for k in keys if k in mapping}


def _by_value(value: Any) -> str:
    """The spelling the config hash gives ``value`` (numbers by value)."""
    try:
        return canonical_json(value)
    except (TypeError, ValueError):  # a date or NaN: reported already
        return _canonical(value)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr)  # non-JSON already reported
