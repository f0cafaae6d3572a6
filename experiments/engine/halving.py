"""Successive halving's decisions: which items a rung shows (seeded, nested)
and which configs go on to the next rung (the best by one objective, or by
non-dominated rank with two). The schedule itself is
``experiments.spec.halving`` (validation reports it too)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence


def item_order(item_ids: Iterable[int], seed: int) -> list[int]:
    """The items in the order rungs take them: rung ``r`` shows the first
    ``items[r]``, so a promoted config's next rung includes its earlier
    items. Seeded, so a resumed sweep shows the same items."""
    order = sorted(item_ids)
    random.Random(f"guided-items:{seed}").shuffle(order)
    return order


def dominates(a: Sequence[float], b: Sequence[float]) -> bool:
    """``a`` is at least as good everywhere and better somewhere (higher is
    better in every objective)."""
    return all(x >= y for x, y in zip(a, b, strict=True)) and any(
        x > y for x, y in zip(a, b, strict=True)
    )


def fronts(values: Sequence[Sequence[float]]) -> list[int]:
    """Each point's non-dominated rank: 0 for the Pareto front, 1 for the
    front once that is removed, and so on (Deb's fast sort: each pair is
    compared once)."""
    n = len(values)
    beaten_by = [0] * n  # how many points dominate each
    beats: list[list[int]] = [[] for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            if dominates(values[i], values[j]):
                beats[i].append(j)
                beaten_by[j] += 1
            elif dominates(values[j], values[i]):
                beats[j].append(i)
                beaten_by[i] += 1
    rank = [0] * n
    front = [i for i in range(n) if not beaten_by[i]]
    level = 0
    while front:
        following = []
        for i in front:
            rank[i] = level
            for j in beats[i]:
                beaten_by[j] -= 1
                if not beaten_by[j]:
                    following.append(j)
        front, level = following, level + 1
    return rank


def ranked(values: Sequence[Sequence[float]]) -> list[int]:
    """Indices best first: by non-dominated rank (with one objective, simply
    the value), then the first objective, then the order given (the order
    the configs were asked in), so ties break the same way every time."""
    if values and len(values[0]) == 1:  # one objective: no need for fronts
        return sorted(range(len(values)), key=lambda i: (-values[i][0], i))
    rank = fronts(values)
    return sorted(range(len(values)), key=lambda i: (rank[i], -values[i][0], i))


def promote(
    values: Sequence[Sequence[float]], keep: int
) -> tuple[list[int], list[int]]:
    """(promoted, dropped) indices, each best first."""
    order = ranked(values)
    return order[:keep], order[keep:]


POOL_RUNS = 4  # how many runs of evidence the axes' prediction counts as


def pooled(
    levels: Sequence[Sequence[int]],
    means: Sequence[float],
    runs: Sequence[int],
    weight: float = POOL_RUNS,
) -> list[float]:
    """Each config's mean score shrunk toward what its axes predict.

    ``levels[i]`` is config ``i``'s value on each axis (prompt, model, each
    param), ``means[i]`` its mean over ``runs[i]`` runs. The prediction is
    additive: the overall mean plus, per axis, how much better the configs
    sharing that value did than the overall mean. A config seen on two items
    borrows strength from the dozens of runs sharing its model or prompt, so
    a good config with two unlucky items is less often dropped; as its own
    runs grow the prediction's weight fades, and an interaction the axes
    cannot predict (a prompt written for one model) wins on its own runs."""
    total = sum(runs)
    if not total:
        return list(means)
    overall = sum(m * n for m, n in zip(means, runs, strict=True)) / total
    predicted = [overall] * len(means)
    for axis in range(len(levels[0]) if levels else 0):
        sums: dict[int, list[float]] = {}
        for level, mean, n in zip(levels, means, runs, strict=True):
            found = sums.setdefault(level[axis], [0.0, 0.0])
            found[0] += mean * n
            found[1] += n
        for i, level in enumerate(levels):
            score, weight_of = sums[level[axis]]
            if weight_of:
                predicted[i] += score / weight_of - overall
    seen = [mean for mean, n in zip(means, runs, strict=True) if n]
    low, high = min(seen), max(seen)  # an additive guess can leave the range
    return [
        (mean * n + weight * min(max(guess, low), high)) / (n + weight)
        for mean, n, guess in zip(means, runs, predicted, strict=True)
    ]
