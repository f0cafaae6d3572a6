"""How a pipeline config's stage choices are listed and labelled, the same in
the leaderboard (API and ``runexperiment --json``), the command's table and
the admin: ``extract: terse/sim/sim-extractor t=0 | normalise: to-json/...``."""

from __future__ import annotations

import json
from typing import Any

# Short enough to keep a row of several stages on one line.
_SHORT_PARAMS = {"temperature": "t"}


def stage_rows(config: dict | None) -> list[dict]:
    """A pipeline config's choices, one ``{stage, prompt, endpoint, model,
    params}`` per stage in order; [] for a single-stage config (its choice
    is the config itself)."""
    return [
        {
            "stage": choice.get("name"),
            "prompt": choice.get("prompt"),
            "endpoint": choice.get("endpoint"),
            "model": choice.get("model"),
            "params": choice.get("params") or {},
        }
        for choice in (config or {}).get("stages") or []
    ]


def params_text(params: dict) -> str:
    return " ".join(
        f"{_SHORT_PARAMS.get(name, name)}={_value(value)}"
        for name, value in sorted(params.items())
    )


def stage_label(row: dict) -> str:
    """One stage's choice: ``extract: terse/sim/sim-extractor t=0``."""
    label = f"{row['stage']}: {row['prompt']}/{row['endpoint']}/{row['model']}"
    params = params_text(row.get("params") or {})
    return f"{label} {params}" if params else label


def pipeline_label(rows: list[dict]) -> str:
    return " | ".join(stage_label(row) for row in rows)


def config_label(config: dict) -> str:
    """A run's config in one line: a pipeline's every stage's choice, else
    ``prompt / endpoint:model (params)``."""
    stages = stage_rows(config)
    if stages:
        return pipeline_label(stages)
    params = sorted((config.get("params") or {}).items())
    text = ", ".join(f"{k}={v}" for k, v in params)
    prompt, endpoint, model = (config.get(k) for k in ("prompt", "endpoint", "model"))
    return f"{prompt} / {endpoint}:{model} ({text})"


def row_label(row: dict) -> str:
    """A leaderboard row's config (its ``stages`` beside the last choice)."""
    if row.get("stages"):
        return pipeline_label(row["stages"])
    return config_label(row["config"])


def _value(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 0.0 reads as 0
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)
