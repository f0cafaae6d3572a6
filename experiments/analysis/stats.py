"""The statistics behind the analysis: bootstrap intervals, paired tests with
Holm's correction, Pareto fronts and variance explained. Pure numpy, no
database: ``experiments.analysis.sweep`` feeds it arrays.

Every resampling takes a seed, so a sweep's analysis is the same each time
it is asked for (a dashboard that reloads must not show moving intervals).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RESAMPLES = 2000
LEVEL = 0.95
ALPHA = 1 - LEVEL
SAME = 1e-12  # scores from sums of floats: 0.6 - 0.5 != 0.8 - 0.7


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _bootstrap_means(values: np.ndarray, seed: int, resamples: int) -> np.ndarray:
    picks = _rng(seed).integers(0, len(values), size=(resamples, len(values)))
    return values[picks].mean(axis=1)


def bootstrap_ci(
    values: Sequence[float] | np.ndarray, seed: int = 0, resamples: int = RESAMPLES
) -> tuple[float, float] | None:
    """Percentile bootstrap interval of the mean; None without values."""
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return None
    if np.ptp(x) <= SAME:
        return float(x.mean()), float(x.mean())
    means = _bootstrap_means(x, seed, resamples)
    low, high = np.quantile(means, [ALPHA / 2, 1 - ALPHA / 2])
    return float(low), float(high)


@dataclass(frozen=True)
class PairedDifference:
    """``mean`` of (a - b) over the shared items, its interval, the two-sided
    bootstrap p-value of "no difference", and how many items were paired."""

    mean: float
    ci95: tuple[float, float]
    p_value: float
    n: int


def paired_difference(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    seed: int = 0,
    resamples: int = RESAMPLES,
) -> PairedDifference | None:
    """Paired bootstrap of a - b (same items, in the same order). The p-value
    resamples the differences centred on zero: how often a mean as far from
    zero as the observed one arises when there is no difference."""
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if d.size == 0:
        return None
    observed = float(d.mean())
    if np.ptp(d) <= SAME:  # no spread: the difference is exactly what it is
        p = 1.0 if abs(observed) <= SAME else 0.0
        return PairedDifference(observed, (observed, observed), p, int(d.size))
    means = _bootstrap_means(d, seed, resamples)
    low, high = np.quantile(means, [ALPHA / 2, 1 - ALPHA / 2])
    centred = means - observed
    # +1 in both: a p-value of exactly 0 would claim more than R resamples show.
    p = (np.count_nonzero(np.abs(centred) >= abs(observed)) + 1) / (resamples + 1)
    return PairedDifference(observed, (float(low), float(high)), float(p), int(d.size))


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (same order as given), monotone."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def pareto_front(score: Sequence[float], cost: Sequence[float]) -> list[bool]:
    """Which points no other beats on both: a higher or equal score at a lower
    or equal cost, strictly better on one."""
    s, c = np.asarray(score, dtype=float), np.asarray(cost, dtype=float)
    front = []
    for i in range(len(s)):
        better_or_equal = (s >= s[i]) & (c <= c[i])
        strictly = (s > s[i]) | (c < c[i])
        front.append(not bool(np.any(better_or_equal & strictly)))
    return front


def distance_to_front(
    score: Sequence[float], cost: Sequence[float], front: Sequence[bool]
) -> list[float]:
    """Per point, the score it gives up: the best front score at no more than
    its cost, minus its own (0 on the front). A user reads it as "what the
    same money buys elsewhere"."""
    s, c = np.asarray(score, dtype=float), np.asarray(cost, dtype=float)
    on = np.asarray(front, dtype=bool)
    gaps = []
    for i in range(len(s)):
        if on[i]:
            gaps.append(0.0)
            continue
        cheaper = on & (c <= c[i])
        best = float(s[cheaper].max()) if np.any(cheaper) else float(s[i])
        gaps.append(max(0.0, best - float(s[i])))
    return gaps


def variance_explained(values: np.ndarray, groups: np.ndarray) -> float | None:
    """Eta squared: the share of the values' variance between the groups'
    means (1: the groups decide everything, 0: they do not matter)."""
    x = np.asarray(values, dtype=float)
    if x.size < 2:
        return None
    total = float(((x - x.mean()) ** 2).sum())
    if total == 0:
        return 0.0
    labels, inverse = np.unique(np.asarray(groups), return_inverse=True)
    sums = np.bincount(inverse, weights=x, minlength=len(labels))
    counts = np.bincount(inverse, minlength=len(labels))
    between = float((counts * (sums / counts - x.mean()) ** 2).sum())
    return between / total


def percentile(values: Sequence[float] | np.ndarray, q: float) -> float | None:
    x = np.asarray(values, dtype=float)
    return float(np.percentile(x, q)) if x.size else None
