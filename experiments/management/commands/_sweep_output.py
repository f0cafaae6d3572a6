"""Console output shared by runexperiment and startsweep."""

from __future__ import annotations

import sys
import time

from django.core.management.base import CommandError

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
        done, planned = sweep.done, max(sweep.planned, 1)
        elapsed = time.monotonic() - self.started
        rate = done / elapsed if elapsed > 0 else 0
        eta = (planned - done) / rate if rate else float("inf")
        eta_text = f"{eta:5.0f}s" if eta != float("inf") else "    ?"
        filled = int(30 * done / planned)
        line = (
            f"[{'#' * filled}{'.' * (30 - filled)}] {done}/{sweep.planned} "
            f"errors {sweep.errors} cached {sweep.cache_hits} ETA {eta_text} "
            f"({sweep.status})"
        )
        if self.tty:
            self.stream.write("\r" + line)
        elif time.monotonic() - self.last_line >= 5 or done >= sweep.planned:
            self.stream.write(line + "\n")
            self.last_line = time.monotonic()
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")


def leaderboard_table(summary: dict, limit: int = 20) -> str:
    header = (
        f"{'#':>3} {'score':>6} {'ci95':>13} {'n':>5} {'err':>4} {'p50 ms':>7}  config"
    )
    lines = [header]
    for row in summary["leaderboard"][:limit]:
        score = "-" if row["score"] is None else f"{row['score']:.3f}"
        ci = "-" if not row["ci95"] else f"{row['ci95'][0]:.2f}-{row['ci95'][1]:.2f}"
        p50 = "-" if row["latency_ms_p50"] is None else f"{row['latency_ms_p50']:.0f}"
        config = row["config"]
        params = ", ".join(f"{k}={v}" for k, v in sorted(config["params"].items()))
        lines.append(
            f"{row['rank']:>3} {score:>6} {ci:>13} {row['n']:>5} {row['errors']:>4} "
            f"{p50:>7}  {config['prompt']} / {config['endpoint']}:{config['model']}"
            f" ({params})"
        )
    more = len(summary["leaderboard"]) - limit
    if more > 0:
        lines.append(f"... and {more} more configs")
    lines.append(
        f"sweep {summary['sweep_id']} {summary['status']}: {summary['done']}/"
        f"{summary['planned']} runs, {summary['errors']} errors, "
        f"{summary['cache_hits']} cache hits, {summary['calls']} calls, "
        f"{summary['tokens']} tokens, ${summary['cost']:.4f}, "
        f"{summary['duration_s']:.1f} s"
    )
    return "\n".join(lines)


def exit_for(sweep: Sweep) -> None:
    """Exit 2 when the sweep failed or was cancelled (0 otherwise)."""
    if sweep.status != Sweep.Status.COMPLETED:
        reason = f": {sweep.error_message}" if sweep.error_message else ""
        raise CommandError(f"sweep {sweep.pk} {sweep.status}{reason}", returncode=2)
