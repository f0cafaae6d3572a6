"""Per-group sums, counts and percentiles of run arrays, without a Python
loop over the runs (groups are small integers: config, item, axis value)."""

from __future__ import annotations

import numpy as np


def count(groups: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(groups, minlength=n).astype(np.int64)


def total(groups: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Per group, the sum of its values (NaN values count as 0)."""
    return np.bincount(groups, weights=np.nan_to_num(values), minlength=n)


def table(
    rows: np.ndarray, cols: np.ndarray, values: np.ndarray, shape: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """(sums, counts) of ``values`` in a rows x cols table."""
    flat = rows * shape[1] + cols
    size = shape[0] * shape[1]
    sums = np.bincount(flat, weights=values, minlength=size).reshape(shape)
    counts = np.bincount(flat, minlength=size).reshape(shape).astype(np.float64)
    return sums, counts


def percentiles(
    groups: np.ndarray, values: np.ndarray, n: int, qs: list[float]
) -> list[np.ndarray]:
    """Per q, each group's q-th percentile of its values, interpolated as
    ``np.percentile`` does (NaN for an empty group)."""
    order = np.lexsort((values, groups))
    ordered = values[order]
    sizes = count(groups, n)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    out = []
    for q in qs:
        position = starts + (sizes - 1).clip(0) * q / 100
        low = np.floor(position).astype(np.int64)
        high = np.ceil(position).astype(np.int64)
        result = np.full(n, np.nan)
        some = sizes > 0
        if some.any():
            a, b = ordered[low[some]], ordered[high[some]]
            result[some] = a + (b - a) * (position[some] - low[some])
        out.append(result)
    return out
