"""Successive halving's schedule for guided search: how many items each rung
shows its configs, and how many configs a bracket starts with for a budget.

Pure arithmetic on counts, so validation (the planned budget) and the engine
(the rungs it runs) share it. A config promoted to a rung keeps the items it
has seen: rung ``r`` shows ``items[r]`` items, the first ``items[r-1]`` of
which it saw before, so a bracket costs ``sum(configs[r] * (items[r] -
items[r-1]))`` runs per sample. Cache hits cost nothing: this is the most a
bracket can spend.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DEFAULT_ETA = 3
RATIO_STEPS = 40  # bisection steps for the ratio that spends a spare budget


@dataclass(frozen=True)
class Bracket:
    """One round of successive halving: ``configs[r]`` configs see the first
    ``items[r]`` items (the last rung: every item)."""

    items: tuple[int, ...]
    configs: tuple[int, ...]

    def runs(self, samples: int, from_rung: int = 0) -> int:
        """The bracket's runs (rows) from rung ``from_rung`` on."""
        total, before = 0, 0
        for r, (items, configs) in enumerate(
            zip(self.items, self.configs, strict=True)
        ):
            if r >= from_rung:
                total += configs * (items - before) * samples
            before = items
        return total


def default_min_items(n_items: int, n_configs: int, eta: int) -> int:
    """As many rungs as both the items and the configs allow halving for:
    ``eta ** rungs`` at most the item count and the config count."""
    rungs = 0
    while eta ** (rungs + 1) <= min(n_items, n_configs):
        rungs += 1
    return max(1, math.ceil(n_items / eta**rungs))


def rung_items(n_items: int, min_items: int, eta: int) -> tuple[int, ...]:
    """Items per rung: ``min_items`` times a power of ``eta``, then all."""
    found, items = [], min(max(1, min_items), n_items)
    while items < n_items:
        found.append(items)
        items *= eta
    return (*found, n_items)


def sampled(strategy: dict) -> bool:
    """Items are given out by Thompson sampling (the score alone), not by
    halving's fixed keep counts (a Pareto front, cost): ``engine.guided``."""
    return (strategy.get("objectives") or ["score"]) == ["score"]


def halving_of(strategy: dict, n_items: int, n_configs: int) -> tuple[int, int]:
    """(min_items, eta): the strategy's ``halving`` over the defaults."""
    halving = strategy.get("halving") or {}
    eta = halving.get("eta") or DEFAULT_ETA
    min_items = halving.get("min_items") or (
        1  # Thompson sampling: its model pools one item of every config
        if sampled(strategy)
        else default_min_items(n_items, n_configs, eta)
    )
    return min(min_items, n_items), eta


def bracket(
    items: tuple[int, ...], eta: int, samples: int, budget: int, most: int
) -> Bracket | None:
    """The bracket with the most starting configs (at most ``most``) whose
    runs fit in ``budget``; None when not even one config fits.

    When every config left fits with budget to spare, the spare keeps more
    configs at each rung (a smaller ratio than ``eta`` between rungs): an
    early rung's few items are the noisiest, and a config kept longer is less
    likely to be dropped for a few unlucky items."""

    def of(n: int, ratio: float) -> Bracket:
        configs = tuple(max(1, int(n / ratio**r)) for r in range(len(items)))
        return Bracket(items, configs)

    if most < 1 or of(1, eta).runs(samples) > budget:
        return None
    low, high = 1, most  # of(low) fits; a bracket's runs grow with n
    while low < high:
        mid = (low + high + 1) // 2
        if of(mid, eta).runs(samples) <= budget:
            low = mid
        else:
            high = mid - 1
    if low < most or of(most, 1).runs(samples) <= budget:
        return of(low, eta if low < most else 1)
    fits, over = float(eta), 1.0  # runs shrink as the ratio grows
    for _ in range(RATIO_STEPS):
        ratio = (fits + over) / 2
        if of(most, ratio).runs(samples) <= budget:
            fits = ratio
        else:
            over = ratio
    return of(most, fits)


def first_bracket(strategy: dict, n_items: int, samples: int, n_configs: int):
    """The first bracket a guided strategy runs (None: the budget is short)."""
    min_items, eta = halving_of(strategy, n_items, n_configs)
    items = rung_items(n_items, min_items, eta)
    return bracket(items, eta, samples, strategy["budget"], n_configs)
