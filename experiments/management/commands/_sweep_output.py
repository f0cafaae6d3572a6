"""Console output shared by runexperiment and startsweep."""

from __future__ import annotations

import sys
import time

from django.core.management.base import CommandError

from experiments.config_labels import row_label
from experiments.models import Sweep


class ProgressBar:
    """A progress bar with ETA on stderr (a line every few seconds when stderr
    is not a terminal, so logs stay readable)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.started = time.monotonic()
        self.last_line = 0.0

    def update(self, sweep: Sweep) -> None:
        line = self.line(sweep)
        if self.tty:
            self.stream.write("\r" + line)
        elif time.monotonic() - self.last_line >= 5:
            self.stream.write(line + "\n")
            self.last_line = time.monotonic()
        self.stream.flush()

    def close(self, sweep: Sweep | None = None) -> None:
        """End the bar; with the finished ``sweep``, its last line says how
        the sweep ended (the runner's last update was still "running")."""
        if sweep is not None:
            self.stream.write(("\r" if self.tty else "") + self.line(sweep) + "\n")
        elif self.tty:
            self.stream.write("\n")
        self.stream.flush()

    def line(self, sweep: Sweep) -> str:
        done, planned = sweep.done, max(sweep.planned, 1)
        elapsed = time.monotonic() - self.started
        rate = done / elapsed if elapsed > 0 else 0
        eta = (planned - done) / rate if rate else float("inf")
        eta_text = f"{eta:5.0f}s" if eta != float("inf") else "    ?"
        filled = int(30 * done / planned)
        # A finished sweep has no ETA.
        eta_part = "" if sweep.is_final else f" ETA {eta_text}"
        return (
            f"[{'#' * filled}{'.' * (30 - filled)}] {done}/{sweep.planned} "
            f"errors {sweep.errors} cached {sweep.cache_hits}{eta_part} "
            f"({sweep.status})"
        )


MARKS_LEGEND = (
    "marks: * best, = tied with the best (Holm-adjusted p >= 0.05), "
    "P on the score-vs-cost front, L on the score-vs-latency front"
)


def leaderboard_table(summary: dict, limit: int = 20) -> str:
    header = (
        f"{'#':>3} {'score':>6} {'ci95':>13} {'n':>5} {'err':>4} {'p50 ms':>7} "
        f"{'marks':<5}  config"
    )
    lines = [header]
    for row in summary["leaderboard"][:limit]:
        score = "-" if row["score"] is None else f"{row['score']:.3f}"
        ci = "-" if not row["ci95"] else f"{row['ci95'][0]:.2f}-{row['ci95'][1]:.2f}"
        p50 = "-" if row["latency_ms_p50"] is None else f"{row['latency_ms_p50']:.0f}"
        lines.append(
            f"{row['rank']:>3} {score:>6} {ci:>13} {row['n']:>5} {row['errors']:>4} "
            f"{p50:>7} {marks(row):<5}  {config_text(row)}"
        )
    more = len(summary["leaderboard"]) - limit
    if more > 0:
        lines.append(f"... and {more} more configs")
    if summary["leaderboard"]:
        lines.append(MARKS_LEGEND)
    calls = f"{summary['calls']} calls"
    if "naive_calls" in summary:  # a pipeline: what sharing stage calls saved
        calls += f" ({summary['naive_calls']} without shared stages)"
    lines.append(
        f"sweep {summary['sweep_id']} {summary['status']}: {summary['done']}/"
        f"{summary['planned']} runs, {summary['errors']} errors, "
        f"{summary['cache_hits']} cache hits, {calls}, "
        f"{summary['tokens']} tokens, cost {cost_text(summary['cost'])}, "
        f"{summary['duration_s']:.1f} s"
    )
    return "\n".join(lines)


def marks(row: dict) -> str:
    """A row's marks (``MARKS_LEGEND``): ``*`` the best (rank 1, scored),
    ``=`` tied with it, ``P``/``L`` on the cost/latency Pareto front."""
    text = ""
    if row["tied_with_best"]:
        text = "*" if row["rank"] == 1 else "="
    fronts = row.get("on_front") or {}
    return (
        text
        + ("P" if fronts.get("cost") else "")
        + ("L" if fronts.get("latency") else "")
    )


def config_text(row: dict) -> str:
    """A leaderboard row's config: a pipeline's every stage, one choice each."""
    return row_label(row)


def served_model_notes(sweep: Sweep, summary: dict) -> list[str]:
    """One line per config whose server said another model answered (an
    alias resolved, or a name the server did not know and ignored)."""
    configs = {row["config_hash"]: row["config"] for row in summary["leaderboard"]}
    served = (
        sweep.runs.exclude(served_model="")
        .values_list("config_hash", "served_model")
        .distinct()
    )
    notes = set()
    for config_hash, model in served:
        config = configs.get(config_hash)
        if config and model != config["model"]:
            notes.add(
                f"note: {config['endpoint']}:{config['model']} was answered by "
                f'model "{model}" (the server\'s response says so)'
            )
    return sorted(notes)


def cost_text(cost: float | None) -> str:
    """As validation prints it: "n/a" when no model used had a price."""
    return "n/a (no prices)" if cost is None else f"${cost:.4f}"


def exit_for(sweep: Sweep) -> None:
    """Exit 0 when the sweep completed (at least one run succeeded; failed
    runs are counted in the summary's errors), 2 when it failed (no run
    succeeded, or the runner failed) or was cancelled."""
    if sweep.status != Sweep.Status.COMPLETED:
        reason = f": {sweep.error_message}" if sweep.error_message else ""
        raise CommandError(f"sweep {sweep.pk} {sweep.status}{reason}", returncode=2)
