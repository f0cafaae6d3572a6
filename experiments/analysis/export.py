"""A sweep's analysis as files: the leaderboard as CSV (one row per config,
nested fields flattened) and one config as a spec that runs it alone.

Pure functions of stored data; ``experiments.services.analysis`` picks the
sweep's rows and config and the API and ``export_config`` serve them.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import yaml

from experiments.config_labels import row_label
from experiments.csv_safety import escape_cell
from experiments.models import Endpoint
from experiments.spec.stages import stages_of

# (column, the row's field or a function of the row), in the file's order;
# a column per scorer follows (``score:<name>``).
CSV_COLUMNS: list[tuple[str, Any]] = [
    ("rank", "rank"),
    ("config_hash", "config_hash"),
    ("label", row_label),
    ("prompt", lambda row: row["config"].get("prompt")),
    ("endpoint", lambda row: row["config"].get("endpoint")),
    ("model", lambda row: row["config"].get("model")),
    ("params", lambda row: _json(row["config"].get("params") or {})),
    ("stages", lambda row: _json(row["stages"]) if row.get("stages") else None),
    ("score", "score"),
    ("ci95_low", lambda row: _end(row["ci95"], 0)),
    ("ci95_high", lambda row: _end(row["ci95"], 1)),
    ("n", "n"),
    ("runs", "runs"),
    ("items", "items"),
    ("errors", "errors"),
    ("error_rate", "error_rate"),
    ("cache_hit_rate", "cache_hit_rate"),
    ("prompt_tokens", "prompt_tokens"),
    ("completion_tokens", "completion_tokens"),
    ("cost_per_run", "cost_per_run"),
    ("cost_total", "cost_total"),
    ("latency_ms_p50", "latency_ms_p50"),
    ("latency_ms_p95", "latency_ms_p95"),
    ("tied_with_best", "tied_with_best"),
    ("p_value", "p_value"),
    ("delta", "delta"),
    ("delta_ci95_low", lambda row: _end(row["delta_ci95"], 0)),
    ("delta_ci95_high", lambda row: _end(row["delta_ci95"], 1)),
    ("paired_items", "paired_items"),
    ("sample_variance", "sample_variance"),
    ("on_front_cost", lambda row: row["on_front"]["cost"]),
    ("on_front_latency", lambda row: row["on_front"]["latency"]),
]
SCORE_PREFIX = "score:"


def leaderboard_csv(rows: list[dict], scorers: list[str]) -> str:
    """The leaderboard ``rows`` as CSV text: the ``CSV_COLUMNS``, then one
    column per scorer (``scorers`` first, in their order, then any other a
    row has). Empty cells for None; booleans as ``true``/``false``."""
    names = list(scorers)
    for row in rows:
        names += [name for name in row["scores"] if name not in names]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c for c, _ in CSV_COLUMNS] + [SCORE_PREFIX + n for n in names])
    for row in rows:
        values = [get(row) if callable(get) else row[get] for _, get in CSV_COLUMNS]
        values += [row["scores"].get(name) for name in names]
        writer.writerow([_cell(value) for value in values])
    return buffer.getvalue()


def _end(pair: list | None, index: int) -> Any:
    return None if not pair else pair[index]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    # Prompt, model and endpoint names could be a formula in a spreadsheet.
    return escape_cell(value) if isinstance(value, str) else value


# --- one config as a spec -------------------------------------------------


def config_spec(spec: dict, config: dict, name: str, description: str) -> dict:
    """The document that runs ``config`` (a run's config dict) of a sweep
    of ``spec`` (the sweep's normalised snapshot) and nothing else: its
    prompt, model and param values (a pipeline's choice per stage), with the
    same dataset, samples, scorers and endpoints, on a grid. Endpoints carry
    their settings, never a key: a key stays stored on the endpoint (or in
    the variable its ``api_key_env`` names)."""
    stages = stages_of(spec)
    document: dict[str, Any] = {
        "version": 1,
        "name": name,
        "project": spec["project"],
        "description": description,
    }
    choices = config.get("stages") or [{**config, "name": stages[0]["name"]}]
    picked = [
        _stage(stage, choice) for stage, choice in zip(stages, choices, strict=True)
    ]
    scorers = [_scorer(s) for s in spec.get("scorers", [])]
    used = {choice["endpoint"] for choice in choices}
    used |= {s["endpoint"] for s in _all(scorers, picked) if s["type"] == "llm_judge"}
    endpoints = [_endpoint(e) for e in spec.get("endpoints", []) if e["name"] in used]
    if endpoints:
        document["endpoints"] = endpoints
    document["dataset"] = {k: v for k, v in spec["dataset"].items() if v is not None}
    if "params" in spec:  # written in the single-stage form, as it was
        document.update({k: v for k, v in picked[0].items() if k in _ONE_STAGE})
    else:
        document["stages"] = picked
    document["samples"] = spec.get("samples", 1)
    if scorers:
        document["scorers"] = scorers
    document["strategy"] = {"type": "grid"}
    document["concurrency"] = spec.get("concurrency", 16)
    return document


_ONE_STAGE = ("prompts", "models", "params")


def _stage(stage: dict, choice: dict) -> dict:
    prompt = next(p for p in stage["prompts"] if p["name"] == choice["prompt"])
    out: dict[str, Any] = {
        "name": stage["name"],
        "prompts": [{"name": prompt["name"], "messages": prompt["messages"]}],
        "models": [{"endpoint": choice["endpoint"], "model": choice["model"]}],
        # A list value is an axis: a list that is one value is a list of it.
        "params": {
            key: [value] if isinstance(value, list) else value
            for key, value in (choice.get("params") or {}).items()
        },
    }
    own = [_scorer(s, stage["name"]) for s in stage.get("scorers", [])]
    if own:
        out["scorers"] = own
    return out


def _scorer(scorer: dict, stage: str | None = None) -> dict:
    """A normalised scorer as written: a stage's without its stage's prefix
    (the validator adds it) and without the weight 0 it stores for "not in
    the composite" (a written weight must be > 0)."""
    out = dict(scorer)
    if stage is not None and out["name"].startswith(f"{stage}."):
        out["name"] = out["name"][len(stage) + 1 :]
    if not out.get("weight"):
        out.pop("weight", None)
    return out


def _all(scorers: list[dict], stages: list[dict]) -> list[dict]:
    return scorers + [s for stage in stages for s in stage.get("scorers", [])]


def _endpoint(entry: dict) -> dict:
    """Only what a spec may set (``Endpoint.SETTINGS_FIELDS``): whatever
    else a stored spec holds, no key or secret can be written out."""
    out = {"name": entry["name"]}
    for key in Endpoint.SETTINGS_FIELDS:
        if entry.get(key) not in (None, ""):
            out[key] = entry[key]
    return out


def spec_yaml(document: dict, header: list[str]) -> str:
    """``document`` as YAML in the spec's field order, after ``header``
    lines as comments."""
    comments = "".join(f"# {line}\n" for line in header)
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    return comments + body
