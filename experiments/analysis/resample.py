"""The bootstrap of ``stats``, vectorised over every config of a sweep at once.

``stats.bootstrap_ci`` and ``stats.paired_difference`` resample one config's
values; a sweep of 100 configs over 1,000 (item, sample) pairs would draw
2,000 x 100,000 indices that way. Here one draw of the sweep's units (items,
or (item, sample) pairs) with replacement serves every config: the draws are
counted into weights (resamples x units), and each config's resampled means
are ``weights @ sums / weights @ counts``, one matrix product for all of
them. With the same seed, a config present on every unit gets exactly the
draws ``stats.bootstrap_ci`` makes (tested); a config missing some units
gets its mean over the drawn units it has (a ratio estimate; NaN in a
resample that drew none of them, which the percentiles skip).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from experiments.analysis.stats import ALPHA, RESAMPLES, SAME

# Weights of more cells than this are drawn again, in slices of resamples,
# for each use rather than kept (sweeps with very many units).
MAX_CELLS = 4_000_000
QUANTILES = [ALPHA / 2, 1 - ALPHA / 2]

Paired = tuple[float, tuple[float, float], float, int]


class Draws:
    """``resamples`` draws of ``n_units`` units with replacement, seeded:
    the same stream as ``stats._bootstrap_means`` (one row per resample)."""

    def __init__(self, n_units: int, seed: int, resamples: int = RESAMPLES):
        self.n_units, self.seed, self.resamples = n_units, seed, resamples

    @cached_property
    def _all(self) -> np.ndarray:
        return next(self._slices(self.resamples))

    def _slices(self, rows: int):
        rng = np.random.default_rng(self.seed)
        n = self.n_units
        for start in range(0, self.resamples, rows):
            size = min(rows, self.resamples - start)
            # Consecutive draws continue one stream: the rows are the same
            # whatever the slice size.
            picks = rng.integers(0, n, size=(size, n))
            picks += np.arange(size)[:, None] * n
            counts = np.bincount(picks.ravel(), minlength=size * n)
            yield counts.reshape(size, n).astype(np.float64)

    def means(self, sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """Per resample and column, the mean over the drawn units' values
        (resamples x columns); ``sums`` and ``counts`` are units x columns."""
        if self.n_units == 0:
            return np.full((self.resamples, sums.shape[1]), np.nan)
        rows = max(1, MAX_CELLS // self.n_units)
        parts = [self._all] if rows >= self.resamples else self._slices(rows)
        # A column with one value per unit is divided by the draws' count,
        # n_units: one matrix product fewer for a complete grid.
        full = (counts == 1).all(axis=0)
        out = []
        with np.errstate(invalid="ignore", divide="ignore"):
            for w in parts:
                part = np.empty((w.shape[0], sums.shape[1]))
                part[:, full] = (w @ sums[:, full]) / self.n_units
                part[:, ~full] = (w @ sums[:, ~full]) / (w @ counts[:, ~full])
                out.append(part)
        return np.vstack(out)


def intervals(
    draws: Draws, sums: np.ndarray, counts: np.ndarray
) -> list[tuple[float, float] | None]:
    """Per column, the 95% percentile interval of its mean; None without
    values, the value itself when every unit's mean is the same (as
    ``stats.bootstrap_ci``)."""
    bounds = _quantiles(draws.means(sums, counts))
    spread = _spread(sums, counts)
    total = counts.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums.sum(axis=0) / total
    out: list[tuple[float, float] | None] = []
    for j in range(sums.shape[1]):
        if total[j] == 0:
            out.append(None)
        elif spread[j] <= SAME:
            out.append((float(mean[j]), float(mean[j])))
        else:
            out.append((float(bounds[0, j]), float(bounds[1, j])))
    return out


def paired(draws: Draws, diffs: np.ndarray, shared: np.ndarray) -> list[Paired | None]:
    """Per column of ``diffs`` (items x columns, a config's per-item mean
    minus another's) over the items ``shared`` marks: the mean difference,
    its 95% interval, the two-sided p-value of "no difference" and how many
    items were paired, as ``stats.paired_difference``; None without items."""
    mask = shared.astype(np.float64)
    d = np.where(shared, diffs, 0.0)
    means = draws.means(d, mask)
    bounds = _quantiles(means)
    n = mask.sum(axis=0).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = d.sum(axis=0) / n
        # +1 in both, as stats.paired_difference: never a p-value of 0.
        drawn = np.count_nonzero(~np.isnan(means), axis=0)
        extreme = np.count_nonzero(np.abs(means - observed) >= np.abs(observed), axis=0)
        p = (extreme + 1) / (drawn + 1)
    spread = _spread(d, mask)
    out: list[Paired | None] = []
    for j in range(d.shape[1]):
        if n[j] == 0:
            out.append(None)
        elif spread[j] <= SAME:  # no spread: the difference is what it is
            value = float(observed[j])
            certain = 1.0 if abs(value) <= SAME else 0.0
            out.append((value, (value, value), certain, int(n[j])))
        else:
            interval = (float(bounds[0, j]), float(bounds[1, j]))
            out.append((float(observed[j]), interval, float(p[j]), int(n[j])))
    return out


def _quantiles(means: np.ndarray) -> np.ndarray:
    if means.size == 0:
        return np.empty((2, means.shape[1]))
    nan = np.isnan(means)
    if not nan.any():  # much faster than nanquantile
        return np.quantile(means, QUANTILES, axis=0)
    bounds = np.full((2, means.shape[1]), np.nan)
    some = ~nan.all(axis=0)
    bounds[:, some] = np.nanquantile(means[:, some], QUANTILES, axis=0)
    return bounds


def _spread(sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per column, the range of its units' means (units with values)."""
    present = counts > 0
    unit_means = sums / np.where(present, counts, 1)
    high = np.where(present, unit_means, -np.inf).max(axis=0, initial=-np.inf)
    low = np.where(present, unit_means, np.inf).min(axis=0, initial=np.inf)
    return np.where(present.any(axis=0), high - low, 0.0)
