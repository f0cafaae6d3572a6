"""Sweep against sweep: the configs two sweeps share (same ``config_hash``:
the same prompt name, endpoint, model and params), compared on the items
they share (docs/api.md, "Analysis"). How a user sees that a new prompt
version or a model release regressed.

Items match by content: a dataset item's ``content_hash`` (its input,
expected output and tags), numbered among the sweep's items with the same
hash in dataset order. Two sweeps of one experiment run the same item rows;
two experiments whose inline items are equal have their own rows with the
same hashes, and match as well.

Per config and item the samples are averaged first; ``delta`` is the mean
of (B - A) over the items both sweeps scored, its interval the paired
bootstrap over items (``resample.paired``, seeded with both sweeps' ids),
its p-value Holm-adjusted across the configs as the leaderboard's test
against the best. A config regressed when the interval lies entirely below
0 and the adjusted p-value is below 0.05; improved, entirely above.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from experiments.analysis import groups
from experiments.analysis.compare import config_head
from experiments.analysis.data import Filters, SweepData
from experiments.analysis.resample import Draws, paired
from experiments.analysis.stats import holm
from experiments.analysis.sweep import TIED_P, rounded
from experiments.models import DatasetItem, Sweep

REGRESSION, IMPROVEMENT, SAME = "regression", "improvement", "same"
CHUNK = 10_000  # ids per IN list: SQLite's bound on variables is 32,766


def item_keys(item_ids: np.ndarray) -> dict[int, tuple[str, int]]:
    """Per item id, its identity across datasets: (content hash, how many
    items with that hash come before it in dataset order)."""
    ids = [int(i) for i in np.unique(item_ids)]
    rows: list[tuple[int, int, int, str]] = []
    for start in range(0, len(ids), CHUNK):
        chunk = DatasetItem.objects.filter(pk__in=ids[start : start + CHUNK])
        rows += chunk.order_by().values_list(
            "dataset_id", "position", "id", "content_hash"
        )
    seen: Counter[str] = Counter()
    keys = {}
    for _, _, pk, digest in sorted(rows):
        keys[pk] = (digest, seen[digest])
        seen[digest] += 1
    return keys


Means = tuple[dict[tuple[str, int], int], np.ndarray, np.ndarray]


def _item_means(data: SweepData) -> Means:
    """The scored items' keys (-> row), and per item x config the mean over
    samples and whether there is one."""
    keys = item_keys(data.item_id[data.scored])
    rows = {key: n for n, key in enumerate(sorted(set(keys.values())))}
    item_row = np.array(
        [rows[keys[int(i)]] for i in data.item_id[data.scored]], dtype=np.int64
    )
    sums, counts = groups.table(
        item_row, data.config[data.scored], data.value[data.scored],
        (len(rows), data.n_configs),
    )  # fmt: skip
    present = counts > 0
    return rows, sums / np.where(present, counts, 1), present


def versus(a: Sweep, b: Sweep, scorer: str | None = None) -> dict:
    """Sweep ``b`` against the baseline ``a`` on the configs and items they
    share, ranked by ``scorer``'s value or the composite score. Raises
    ``AnalysisParameterError`` for a scorer either sweep does not have."""
    filters = Filters(scorer=scorer)
    fields = ("item_id", "sample_index")
    da = SweepData(a.runs.all(), filters, fields, every_scorer=False)
    db = SweepData(b.runs.all(), filters, fields, every_scorer=False)
    rows_a, means_a, present_a = _item_means(da)
    rows_b, means_b, present_b = _item_means(db)
    items = sorted(set(rows_a) & set(rows_b))
    in_b = set(db.hashes)
    configs = [h for h in da.hashes if h in in_b]
    column_a = {h: j for j, h in enumerate(da.hashes)}
    column_b = {h: j for j, h in enumerate(db.hashes)}
    ja = np.array([column_a[h] for h in configs], dtype=np.int64)
    jb = np.array([column_b[h] for h in configs], dtype=np.int64)
    ia = np.array([rows_a[k] for k in items], dtype=np.int64)
    ib = np.array([rows_b[k] for k in items], dtype=np.int64)
    grid = np.ix_(ia, ja), np.ix_(ib, jb)
    shared = present_a[grid[0]] & present_b[grid[1]]
    diffs = means_b[grid[1]] - means_a[grid[0]]
    seed = a.pk * 1_000_003 + b.pk
    tests = paired(Draws(len(items), seed), diffs, shared)
    adjusted = iter(holm([t[2] for t in tests if t]))
    out = []
    for col, h in enumerate(configs):
        test = tests[col]
        mask = shared[:, col]
        head = config_head(h, da.configs[ja[col]])
        row = {**head, "mean_a": None, "mean_b": None, "delta": None,
               "delta_ci95": None, "p_value": None, "paired_items": 0,
               "verdict": SAME}  # fmt: skip
        if test is not None:
            delta, ci, _, n = test
            p = next(adjusted)
            row.update(
                mean_a=rounded(means_a[grid[0]][mask, col].mean()),
                mean_b=rounded(means_b[grid[1]][mask, col].mean()),
                delta=rounded(delta),
                delta_ci95=[rounded(ci[0]), rounded(ci[1])],
                p_value=rounded(p),
                paired_items=n,
                verdict=_verdict(ci, p),
            )
        out.append(row)
    # The worst first: what a user reading for regressions wants on top.
    out.sort(key=lambda r: (r["delta"] is None, r["delta"] or 0.0))
    verdicts = Counter(r["verdict"] for r in out)
    return {
        "a": _sweep_head(a),
        "b": _sweep_head(b),
        "filters": {"scorer": scorer},
        "shared_items": len(items),
        "only_in_a": [h for h in da.hashes if h not in in_b],
        "only_in_b": [h for h in db.hashes if h not in column_a],
        "regressions": verdicts[REGRESSION],
        "improvements": verdicts[IMPROVEMENT],
        "configs": out,
    }


def _verdict(ci: tuple[float, float], p: float) -> str:
    if p >= TIED_P:
        return SAME
    if ci[1] < 0:
        return REGRESSION
    return IMPROVEMENT if ci[0] > 0 else SAME


def _sweep_head(sweep: Sweep) -> dict:
    return {
        "id": sweep.pk,
        "experiment": sweep.experiment.name,
        "project": sweep.experiment.project.name,
        "status": str(sweep.status),
        "created_at": sweep.created_at.isoformat(),
    }
