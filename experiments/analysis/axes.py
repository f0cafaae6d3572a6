"""The axes a sweep varies, read from its configs: ``prompt``, ``model``
(``endpoint/model``) and each param by name; a pipeline's per stage, named
``<stage>.prompt``, ``<stage>.model``, ``<stage>.<param>``."""

from __future__ import annotations

import json
from typing import Any

from experiments.spec.stages import stages_of

# Axes that are not params; a param of the same name is listed as params.<name>.
FIXED = ("prompt", "model")


def config_axes(config: dict) -> dict[str, Any]:
    """Axis name -> this config's value on it."""
    stages = config.get("stages") or []
    if not stages:
        return _choice_axes(config, "")
    axes: dict[str, Any] = {}
    for choice in stages:
        axes.update(_choice_axes(choice, f"{choice.get('name')}."))
    return axes


def _choice_axes(choice: dict, prefix: str) -> dict[str, Any]:
    axes = {
        f"{prefix}prompt": choice.get("prompt"),
        f"{prefix}model": f"{choice.get('endpoint')}/{choice.get('model')}",
    }
    for name, value in (choice.get("params") or {}).items():
        key = f"params.{name}" if name in FIXED else name
        axes[f"{prefix}{key}"] = value
    return axes


def spec_axes(spec: dict) -> list[str]:
    """The axis names of a sweep's spec, as ``config_axes`` names them."""
    stages = stages_of(spec) if spec else []
    pipeline = len(stages) > 1  # one stage plans plain configs
    names = []
    for stage in stages:
        prefix = f"{stage['name']}." if pipeline else ""
        params = [f"params.{p}" if p in FIXED else p for p in stage["params"]]
        names += [f"{prefix}{name}" for name in [*FIXED, *params]]
    return names


def value_key(value: Any) -> str:
    """A value's identity for grouping (params may be lists or objects)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


class AxisCodes:
    """Per axis, each config's value as a small integer (its position in
    ``values``, in the order ``_sorted`` gives)."""

    def __init__(self, configs: list[dict]):
        per_config = [config_axes(config) for config in configs]
        self.names: list[str] = []
        for axes in per_config:
            self.names += [name for name in axes if name not in self.names]
        self.values: dict[str, list[Any]] = {}
        self.codes: dict[str, list[int]] = {}
        for name in self.names:
            seen: dict[str, int] = {}
            values: list[Any] = []
            codes = []
            for axes in per_config:
                value = axes.get(name)
                key = value_key(value)
                if key not in seen:
                    seen[key] = len(values)
                    values.append(value)
                codes.append(seen[key])
            order = _sorted(values)
            rank = {old: new for new, old in enumerate(order)}
            self.values[name] = [values[i] for i in order]
            self.codes[name] = [rank[code] for code in codes]

    def varied(self) -> list[str]:
        """The axes with more than one value."""
        return [name for name in self.names if len(self.values[name]) > 1]


def _sorted(values: list[Any]) -> list[int]:
    """The values' positions in the order to show them: numbers ascending,
    names alphabetically; anything else (mixed, objects) as first seen."""
    positions = list(range(len(values)))
    numbers = all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in values
    )
    if numbers or all(isinstance(v, str) for v in values):
        return sorted(positions, key=lambda i: values[i])
    return positions
