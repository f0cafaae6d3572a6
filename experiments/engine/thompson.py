"""Which configs of a guided bracket get more items: top-two Thompson
sampling on a model that pools what every config scored.

Successive halving with fixed keep counts drops a config for a few unlucky
items; on the benchmark's world (``simulator/world.py``) that made its pick
worse than the full grid's by about 0.01 on average, whatever the schedule.
Here each config's score is a Beta posterior whose prior comes from a ridge
regression over the axes (each axis value's effect and each pair of axes'
joint effect, so a prompt written for one model is seen as such), counted as
``PRIOR_RUNS`` runs. Each item of a step goes to the config whose drawn score
is highest (the leader) or, half the time, to the best of the others (the
challenger): the apparent best and its closest rivals get the items, and a
config unlucky on its first items keeps a chance in proportion to its
posterior. Draws come from a generator seeded by the caller, so a replayed
search decides the same.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np

PRIOR_RUNS = 6.0  # runs of evidence the model's prediction counts as
MAIN_PENALTY = 4.0  # ridge penalty of an axis value's effect, in runs
PAIR_PENALTY = 16.0  # ... of a pair of values' joint effect: needs more evidence
MOST_COLUMNS = 400  # a larger space's model leaves out the pairs (solve cost)
LEADER_SHARE = 0.5  # top-two sampling: how often the leader gets the item
CHALLENGER_DRAWS = 20  # redraws to find a challenger before giving up
EDGE = 0.02  # predictions are kept inside (EDGE, 1 - EDGE): Beta needs both > 0
# The overall mean's penalty: next to nothing, but a model of configs with no
# finished run yet still solves (to the penalties' zero).
INTERCEPT_PENALTY = 1e-6


def design(levels: np.ndarray, sizes: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """One-hot columns for configs whose value on axis ``a`` is
    ``levels[:, a]`` (of ``sizes[a]`` values): the intercept, each axis
    value, then each pair of axes' value pairs if they fit in
    ``MOST_COLUMNS``; and each column's ridge penalty."""
    rows = len(levels)
    columns = [np.ones(rows)]
    penalties = [INTERCEPT_PENALTY]
    for axis, size in enumerate(sizes):
        for value in range(size):
            columns.append((levels[:, axis] == value).astype(float))
            penalties.append(MAIN_PENALTY)
    pairs = list(itertools.combinations(range(len(sizes)), 2))
    if len(columns) + sum(sizes[a] * sizes[b] for a, b in pairs) <= MOST_COLUMNS:
        for a, b in pairs:
            joint = levels[:, a] * sizes[b] + levels[:, b]
            for value in range(sizes[a] * sizes[b]):
                columns.append((joint == value).astype(float))
                penalties.append(PAIR_PENALTY)
    return np.column_stack(columns), np.array(penalties)


def predict(
    levels: np.ndarray, sizes: Sequence[int], means: np.ndarray, runs: np.ndarray
) -> np.ndarray:
    """Each config's score as the axes predict it: weighted ridge least
    squares of the means (each weighted by its runs) on ``design``."""
    columns, penalties = design(levels, sizes)
    weighted = columns * runs[:, None]
    gram = weighted.T @ columns + np.diag(penalties)
    coefficients = np.linalg.solve(gram, weighted.T @ means)
    return np.clip(columns @ coefficients, EDGE, 1 - EDGE)


class Posterior:
    """Beta posteriors of the configs' scores (means clipped to [0, 1]: a
    score outside is not a probability)."""

    def __init__(
        self,
        levels: Sequence[Sequence[int]],
        sizes: Sequence[int],
        means: Sequence[float],
        runs: Sequence[int],
    ):
        level_array = np.array(levels, dtype=int).reshape(len(means), len(sizes))
        mean_array = np.clip(np.array(means, dtype=float), 0.0, 1.0)
        run_array = np.array(runs, dtype=float)
        prior = predict(level_array, sizes, mean_array, run_array)
        self.alpha = PRIOR_RUNS * prior + mean_array * run_array
        self.beta = PRIOR_RUNS * (1 - prior) + (1 - mean_array) * run_array

    @property
    def means(self) -> np.ndarray:
        return self.alpha / (self.alpha + self.beta)

    def _leader(self, rng: np.random.Generator, open_: np.ndarray) -> int:
        drawn = rng.beta(self.alpha, self.beta)
        drawn[~open_] = -1.0
        return int(np.argmax(drawn))

    def allocate(
        self, rng: np.random.Generator, open_: Mapping[int, int], items: int
    ) -> dict[int, int]:
        """How many of ``items`` more items each config of ``open_`` gets:
        config ``i`` at most ``open_[i]`` more (0: it has seen every item).
        The others (a finished bracket's) are in the model, never given one."""
        room = np.zeros(len(self.alpha), dtype=int)
        room[list(open_)] = list(open_.values())
        given = np.zeros(len(room), dtype=int)
        for _ in range(items):
            if not (room > given).any():
                break
            chosen = self._leader(rng, room > given)
            if rng.random() >= LEADER_SHARE:
                for _ in range(CHALLENGER_DRAWS):
                    other = self._leader(rng, room > given)
                    if other != chosen:
                        chosen = other
                        break
            given[chosen] += 1
        return {i: int(given[i]) for i in open_}
