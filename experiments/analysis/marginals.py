"""What each axis of a sweep explains (marginals) and the mean score over
any two axes (heatmap)."""

from __future__ import annotations

from functools import cached_property

import numpy as np

from experiments.analysis import groups
from experiments.analysis.axes import AxisCodes
from experiments.analysis.data import AnalysisParameterError
from experiments.analysis.resample import intervals
from experiments.analysis.stats import variance_explained
from experiments.analysis.sweep import SweepAnalysis, rounded


class AxisAnalysis:
    """Marginals and heatmaps over one ``SweepAnalysis``'s runs."""

    def __init__(self, analysis: SweepAnalysis):
        self.analysis = analysis
        self.data = analysis.data

    @cached_property
    def axes(self) -> AxisCodes:
        return AxisCodes(self.data.configs)

    def run_codes(self, axis: str) -> np.ndarray:
        """Per scored run, its config's value on ``axis`` (a code)."""
        codes = np.asarray(self.axes.codes[axis], dtype=np.int64)
        return codes[self.data.config[self.data.scored]]

    def marginals(self) -> dict:
        """Per axis with more than one value: the mean score per value with
        its bootstrap interval (resampling (item, sample) pairs, as the
        leaderboard's) and n, and the share of the runs' score variance the
        axis explains; the axes that explain most first."""
        d = self.data
        units, n_units = d.units
        values = d.value[d.scored]
        out = []
        for axis in self.axes.varied():
            codes = self.run_codes(axis)
            k = len(self.axes.values[axis])
            sums, counts = groups.table(units, codes, values, (n_units, k))
            cis = [
                None if ci is None else [rounded(ci[0]), rounded(ci[1])]
                for ci in intervals(self.analysis.unit_draws, sums, counts)
            ]
            n = counts.sum(axis=0)
            configs = np.bincount(self.axes.codes[axis], minlength=k)
            out.append({
                "axis": axis,
                "variance_explained": rounded(variance_explained(values, codes)),
                "values": [
                    {
                        "value": self.axes.values[axis][v],
                        "mean": rounded(sums[:, v].sum() / n[v]) if n[v] else None,
                        "ci95": cis[v],
                        "n": int(n[v]),
                        "configs": int(configs[v]),
                    }
                    for v in range(k)
                ],
            })  # fmt: skip
        out.sort(key=lambda a: -(a["variance_explained"] or 0))  # type: ignore[operator]
        return {"filters": d.filters.as_dict(), "axes": out}

    def default_axes(self) -> tuple[str | None, str | None]:
        """``prompt`` x ``model``; a pipeline's first stage varying each."""

        def pick(kind: str) -> str | None:
            named = [a for a in self.axes.names if a == kind or a.endswith(f".{kind}")]
            varied = [a for a in named if len(self.axes.values[a]) > 1]
            return (varied or named or [None])[0]  # type: ignore[list-item]

        return pick("prompt"), pick("model")

    def heatmap(self, x: str | None = None, y: str | None = None) -> dict:
        """The mean score and n of the runs at each pair of values of the
        axes ``x`` and ``y`` (pairs without scored runs are left out)."""
        default_x, default_y = self.default_axes()
        x, y = x or default_x, y or default_y
        for param, axis in (("x", x), ("y", y)):
            if axis is not None and axis not in self.axes.codes:
                known = ", ".join(self.axes.names) or "none"
                raise AnalysisParameterError(
                    param, f'unknown axis "{axis}"; axes: {known}'
                )
        if x is not None and x == y:
            raise AnalysisParameterError("y", "x and y must be different axes")
        out: dict = {"filters": self.data.filters.as_dict(), "x": x, "y": y}
        if x is None or y is None:  # a sweep without runs has no axes
            return {**out, "x_values": [], "y_values": [], "cells": []}
        kx, ky = len(self.axes.values[x]), len(self.axes.values[y])
        sums, counts = groups.table(
            self.run_codes(x), self.run_codes(y), self.data.value[self.data.scored],
            (kx, ky),
        )  # fmt: skip
        cells = [
            {
                "x": self.axes.values[x][i],
                "y": self.axes.values[y][j],
                "mean": rounded(sums[i, j] / counts[i, j]),
                "n": int(counts[i, j]),
            }
            for i in range(kx)
            for j in range(ky)
            if counts[i, j]
        ]
        return {
            **out,
            "x_values": self.axes.values[x],
            "y_values": self.axes.values[y],
            "cells": cells,
        }
