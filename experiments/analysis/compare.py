"""2 to 4 configs of one sweep side by side, item by item (docs/api.md,
"Analysis"): per shared item each config's output, a word-level diff of it
against the first config's, its scores and their deltas to the first's; the
items where the configs disagree most first.

An item is shared when every config has a finished (done or failed) run of
it at the sample compared. Disagreement is the spread (max - min) of the
configs' composite scores, a run without a score counting as 0; ties go to
the item whose outputs differ from the first's in more configs, then to the
dataset's order. Only the page asked for is diffed: a sweep of 1,000 items
reads its outputs once but runs difflib on ``limit`` items.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from django.db.models import QuerySet

from experiments.analysis.data import AnalysisParameterError
from experiments.analysis.sweep import rounded
from experiments.config_labels import row_label, stage_rows
from experiments.models import DatasetItem, Run, Score

MIN_CONFIGS, MAX_CONFIGS = 2, 4
LIMIT, MAX_LIMIT = 20, 100
# Words and the whitespace between them are both tokens, so the ops' texts
# join back into the outputs exactly (equal + delete: the first's).
TOKENS = re.compile(r"\s+|\S+")


def config_head(config_hash: str, config: dict | None) -> dict:
    """A config as the leaderboard shows it, with its label."""
    config = config or {}
    head: dict[str, Any] = {
        "config_hash": config_hash,
        "config": {
            "prompt": config.get("prompt"),
            "endpoint": config.get("endpoint"),
            "model": config.get("model"),
            "params": config.get("params", {}),
        },
        "stages": stage_rows(config),
    }
    head["label"] = row_label(head)
    return head


def word_diff(first: str, other: str) -> list[dict[str, str]]:
    """The ops turning ``first`` into ``other`` word by word: ``equal``,
    ``delete`` (only in the first), ``insert`` (only in the other)."""
    a, b = TOKENS.findall(first), TOKENS.findall(other)
    ops: list[dict[str, str]] = []

    def add(op: str, tokens: list[str]) -> None:
        if not tokens:
            return
        if ops and ops[-1]["op"] == op:
            ops[-1]["text"] += "".join(tokens)
        else:
            ops.append({"op": op, "text": "".join(tokens)})

    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", a[i1:i2])
            continue
        add("delete", a[i1:i2])  # a replace is a delete then an insert
        add("insert", b[j1:j2])
    return ops


def check_configs(runs: QuerySet, hashes: list[str]) -> None:
    """Raise ``AnalysisParameterError`` ("configs") unless ``hashes`` are 2
    to 4 different configs of the sweep whose runs ``runs`` are."""
    if len(set(hashes)) != len(hashes):
        raise AnalysisParameterError("configs", "a config is named twice")
    if not MIN_CONFIGS <= len(hashes) <= MAX_CONFIGS:
        raise AnalysisParameterError(
            "configs",
            f"give {MIN_CONFIGS} to {MAX_CONFIGS} config hashes, not {len(hashes)}",
        )
    known = set(
        runs.filter(config_hash__in=hashes)
        .order_by()
        .values_list("config_hash", flat=True)
        .distinct()
    )
    unknown = [h for h in hashes if h not in known]
    if unknown:
        raise AnalysisParameterError(
            "configs", f'unknown config "{unknown[0]}": not a config of this sweep'
        )


def compare(
    runs: QuerySet,
    hashes: list[str],
    sample: int = 0,
    offset: int = 0,
    limit: int = LIMIT,
) -> dict:
    """``hashes``' runs of ``runs`` (one sweep's) at ``sample``, side by side
    on the items they share; the page ``offset``/``limit`` of those items,
    most disagreement first. The first config is the reference."""
    check_configs(runs, hashes)
    finished = (
        runs.filter(
            config_hash__in=hashes,
            sample_index=sample,
            status__in=[Run.Status.DONE, Run.Status.FAILED],
        )
        .order_by()
        .values_list(
            "id", "config_hash", "item_id", "status", "score", "output_text",
            "error_message",
        )
    )  # fmt: skip
    by_item: dict[int, dict[str, tuple]] = {}
    for row in finished:
        by_item.setdefault(row[2], {})[row[1]] = row
    # A run's config is one JSON per run: read once per config, not per run.
    configs = {
        h: runs.filter(config_hash=h).order_by().values_list("config", flat=True)[0]
        for h in hashes
    }
    shared = {item: r for item, r in by_item.items() if len(r) == len(hashes)}
    positions = dict(
        DatasetItem.objects.filter(pk__in=list(shared)).values_list("id", "position")
    )
    order = sorted(
        shared,
        key=lambda item: (
            -_spread(shared[item], hashes),
            -_outputs_differing(shared[item], hashes),
            positions.get(item, 0),
            item,
        ),
    )
    page = order[offset : offset + limit]
    return {
        "configs": [config_head(h, configs.get(h)) for h in hashes],
        "sample": sample,
        "shared_items": len(shared),
        "summary": _summary(shared, hashes),
        "offset": offset,
        "limit": limit,
        "items": _items(page, shared, hashes),
    }


def _score(row: tuple) -> float:
    return row[4] if row[3] == Run.Status.DONE and row[4] is not None else 0.0


def _done_score(row: tuple) -> float | None:
    return row[4] if row[3] == Run.Status.DONE else None


def _spread(rows: dict[str, tuple], hashes: list[str]) -> float:
    scores = [_score(rows[h]) for h in hashes]
    return round(max(scores) - min(scores), 4)  # as shown, not float noise


def _outputs_differing(rows: dict[str, tuple], hashes: list[str]) -> int:
    first = rows[hashes[0]][5]
    return sum(rows[h][5] != first for h in hashes[1:])


def _summary(shared: dict[int, dict[str, tuple]], hashes: list[str]) -> list[dict]:
    """Per config over the shared items: its mean score (runs with one),
    the mean to the first's, failed runs and items whose output differs."""
    out = []
    means: list[float | None] = []
    for h in hashes:
        scores = [
            r[h][4] for r in shared.values()
            if r[h][3] == Run.Status.DONE and r[h][4] is not None
        ]  # fmt: skip
        means.append(sum(scores) / len(scores) if scores else None)
    for h, mean in zip(hashes, means, strict=True):
        first = means[0]
        out.append({
            "config_hash": h,
            "score": rounded(mean),
            "score_delta": None if mean is None or first is None
            else rounded(mean - first),
            "failed": sum(r[h][3] == Run.Status.FAILED for r in shared.values()),
            "outputs_differing": sum(
                r[h][5] != r[hashes[0]][5] for r in shared.values()
            ),
        })  # fmt: skip
    return out


def _items(page: list[int], shared: dict, hashes: list[str]) -> list[dict]:
    run_ids = [shared[item][h][0] for item in page for h in hashes]
    scores: dict[int, dict[str, float]] = {}
    for run_id, scorer, value in (
        Score.objects.filter(run_id__in=run_ids)
        .order_by()
        .values_list("run_id", "scorer", "value")
    ):
        scores.setdefault(run_id, {})[scorer] = value
    items = DatasetItem.objects.in_bulk(page)
    out = []
    for item_id in page:
        rows = shared[item_id]
        first = rows[hashes[0]]
        first_scores = scores.get(first[0], {})
        entries = []
        for h in hashes:
            run_id, _, _, status, score, output, error = rows[h]
            score = score if status == Run.Status.DONE else None
            own = scores.get(run_id, {})
            reference = h == hashes[0]
            entries.append({
                "config_hash": h,
                "run_id": run_id,
                "status": status,
                "output": output,
                "error": error,
                "score": rounded(score),
                "score_delta": _delta(score, _done_score(first)),
                "scores": {k: rounded(v) for k, v in sorted(own.items())},
                "scores_delta": {
                    k: _delta(v, first_scores.get(k)) for k, v in sorted(own.items())
                },
                "diff": None if reference else word_diff(first[5], output),
            })  # fmt: skip
        item = items.get(item_id)
        out.append({
            "item_id": item_id,
            "position": item.position if item else None,
            "input": item.input if item else None,
            "expected": item.expected if item else None,
            "disagreement": _spread(rows, hashes),
            "runs": entries,
        })  # fmt: skip
    return out


def _delta(value: float | None, first: float | None) -> float | None:
    if value is None or first is None:
        return None
    return rounded(value - first)
