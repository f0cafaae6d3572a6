"""A world with a known answer, for benchmarking search strategies.

The ``world-m0`` to ``world-m4`` models answer arithmetic questions ("What is
17 + 25?"), each right with a probability known in advance: the latent
quality ``quality(model, variant, temperature)`` of the config, in [0, 1].
The prompt variant is named in the prompt text ("variant 3", 0 to 5; a prompt
naming none, or one out of range, is variant 0) and the temperature is the
request's. Whether one answer is right is a seeded draw on the request
(model, messages, temperature, ``seed``), so answers repeat for the same
request and a benchmark sending another ``seed`` sees other noise.

The quality is not separable by axis, so a search that tunes one axis at a
time is misled: every model has its own best temperature, and ``world-m1``
with variant 4 (a prompt written for that model) beats every other config,
although ``world-m2`` and variant 2 are the best model and prompt on average
(``marginal_best``). ``best`` names the best config of a space, for regret.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterable, Sequence

MODELS = ("world-m0", "world-m1", "world-m2", "world-m3", "world-m4")
VARIANTS = tuple(range(6))
# The temperatures benchmarks sweep (any temperature from 0 to 2 is answered).
TEMPERATURES = (0.0, 0.4, 0.8, 1.2)

# On the logit scale: a model's skill and the temperature it does best at.
_SKILL = {"world-m0": 0.3, "world-m1": 1.0, "world-m2": 1.4, "world-m3": 0.8,
          "world-m4": 0.0}  # fmt: skip
_BEST_TEMPERATURE = {"world-m0": 0.2, "world-m1": 0.8, "world-m2": 0.4,
                     "world-m3": 0.6, "world-m4": 0.0}  # fmt: skip
_TEMPERATURE_PENALTY = 1.2  # per squared unit away from the model's best
_VARIANT = (0.0, 0.25, 0.5, 0.15, 0.35, -0.1)
# (model, variant) pairs that do better (or worse) than their parts predict.
_PAIRING = {("world-m1", 4): 1.0}

_QUESTION = re.compile(r"What is (-?\d+) \+ (-?\d+)\?")
_VARIANT_TEXT = re.compile(r"\bvariant (\d+)\b", re.IGNORECASE)

Config = tuple[str, int, float]  # (model, variant, temperature)


def quality(model: str, variant: int, temperature: float) -> float:
    """The probability that ``model`` answers right, prompted with
    ``variant`` at ``temperature``."""
    logit = (
        _SKILL[model]
        + _VARIANT[variant]
        + _PAIRING.get((model, variant), 0.0)
        - _TEMPERATURE_PENALTY * (temperature - _BEST_TEMPERATURE[model]) ** 2
    )
    return 1 / (1 + math.exp(-logit))


def space(
    models: Iterable[str] = MODELS,
    variants: Iterable[int] = VARIANTS,
    temperatures: Iterable[float] = TEMPERATURES,
) -> list[Config]:
    temperatures = tuple(temperatures)
    variants = tuple(variants)
    return [(m, v, t) for m in models for v in variants for t in temperatures]


def best(configs: Sequence[Config] | None = None) -> tuple[Config, float]:
    """The best config of ``configs`` (default: the whole benchmark space)
    and its quality."""
    top = max(configs or space(), key=lambda c: quality(*c))
    return top, quality(*top)


def marginal_best(configs: Sequence[Config] | None = None) -> Config:
    """The best value of each axis on its own (the highest mean quality over
    the rest of the space), put together: what tuning axis by axis finds."""
    configs = configs or space()
    picked = []
    for axis in range(3):
        values: dict = {}
        for config in configs:
            values.setdefault(config[axis], []).append(quality(*config))
        picked.append(max(values, key=lambda v: sum(values[v]) / len(values[v])))
    return picked[0], picked[1], picked[2]


def variant_of(text: str) -> int:
    match = _VARIANT_TEXT.search(text)
    variant = int(match.group(1)) if match else 0
    return variant if variant in VARIANTS else 0


def respond(model: str, text: str, temperature: float, rng: random.Random) -> str:
    """The answer of ``model`` to the prompt ``text`` (every message's text);
    ``rng`` is seeded by the request."""
    question = _QUESTION.search(text)
    if not question:
        return "I can only add two numbers."
    total = int(question.group(1)) + int(question.group(2))
    if rng.random() < quality(model, variant_of(text), temperature):
        return str(total)
    return str(total + rng.choice((-10, -2, -1, 1, 2, 10)))
