"""The simulator's settings, and the checks a live change must pass."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Settings that ``POST /config`` may change while the server runs.
LIVE_FIELDS = (
    "latency_ms",
    "jitter_ms",
    "fail_rate",
    "rate429",
    "timeout_rate",
    "malformed_rate",
    "retry_after",
    "timeout_s",
    "model_latency_ms",
    "context_chars",
    "validation_500",
)
RATE_FIELDS = frozenset({"fail_rate", "rate429", "timeout_rate", "malformed_rate"})


@dataclass
class SimulatorConfig:
    host: str = "127.0.0.1"
    port: int = 8499  # 0: any free port (SimulatorServer picks one)
    latency_ms: float = 50.0
    jitter_ms: float = 10.0
    fail_rate: float = 0.0
    rate429: float = 0.0
    timeout_rate: float = 0.0
    malformed_rate: float = 0.0
    retry_after: float = 1.0  # seconds, sent in the Retry-After header
    timeout_s: float = 120.0  # how long a "timeout" fault hangs
    # Per model, replaces latency_ms (jitter still applies): a slow judge.
    model_latency_ms: dict[str, float] = field(default_factory=dict)
    # Prompts longer than this many characters get a 400 (0: no limit).
    context_chars: float = 0
    # Answer invalid requests as llama-cpp-python does: 500, not 400.
    validation_500: bool = False
    # Answer every chat request, whatever model it names, with this model and
    # say so in the response's "model" (as single-model servers do):
    # a misspelt model name goes unnoticed. Empty: unknown models get a 404.
    served_model: str = ""
    # What GET /v1/models lists (empty: every simulated model).
    listed_models: list[str] = field(default_factory=list)
    api_key: str = field(default="", repr=False)
    seed: int = 0

    def live(self) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in LIVE_FIELDS}
        values["model_latency_ms"] = dict(self.model_latency_ms)
        return values


class BadRequest(Exception):
    """A request (or a config change) the simulator refuses with a 400."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRequest(f"'{name}' must be a number.", name)
    if value < 0 or (name in RATE_FIELDS and value > 1):
        raise BadRequest(f"'{name}' is out of range.", name)
    return float(value)


def live_value(name: str, value: Any) -> Any:
    """A checked value for a LIVE_FIELDS setting, or BadRequest."""
    if name == "validation_500":
        if not isinstance(value, bool):
            raise BadRequest(f"'{name}' must be true or false.", name)
        return value
    if name == "model_latency_ms":
        if not isinstance(value, dict):
            raise BadRequest(f"'{name}' must be an object of model: ms.", name)
        return {str(model): _number(name, ms) for model, ms in value.items()}
    return _number(name, value)
