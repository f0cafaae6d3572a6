"""What a ``sweep.progress`` event says beyond the sweep's counters: the
calls the cache and shared stage calls saved, the recent call rate and the
ETA. Also the one count of "naive" calls (what the sweep's runs would have
called with nothing shared or cached), which the sweep's summary reuses."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING

from experiments.engine.events import EndpointState, Progress
from experiments.models import Run, Sweep

if TYPE_CHECKING:  # the store imports this module
    from experiments.engine.store.records import RunResult

# The rates are over the last few seconds: a sweep slowed by a limit shows it.
RATE_WINDOW_S = 5.0


def stage_count(spec: dict) -> int:
    """As ``stages_of`` reads a stored spec: top-level ``params`` is one stage
    (also for snapshots older than pipelines, which have no ``stages``)."""
    if "params" in spec or not isinstance(spec.get("stages"), list):
        return 1
    return max(1, len(spec["stages"]))


def run_naive_calls(stages: int, status: str, trace: list | None) -> int:
    """The stage calls one run would have made had none been shared or
    cached: every stage of a done run, a failed run's stages up to the call
    that failed (a stage that failed before its call, e.g. on an earlier
    answer that is not JSON, made none)."""
    if status == Run.Status.DONE:
        return stages
    if status == Run.Status.FAILED:
        return sum(1 for stage in trace or [] if stage.get("cache_key"))
    return 0


def naive_calls(sweep: Sweep) -> int:
    """``run_naive_calls`` over the sweep's finished runs."""
    stages = stage_count(sweep.spec)
    done = sweep.runs.filter(status=Run.Status.DONE).count()
    if stages == 1:  # a single-stage run has no trace: a failed one adds none
        return done * stages
    traces = sweep.runs.filter(status=Run.Status.FAILED).values_list("trace", flat=True)
    failed = sum(
        run_naive_calls(stages, Run.Status.FAILED, trace)
        for trace in traces.iterator(chunk_size=1000)
    )
    return done * stages + failed


def calls_saved(naive: int, calls: int) -> int:
    """The calls the cache and shared stage calls spared a sweep: its naive
    calls less the requests it sent. Retries count as sent and judge calls
    are not naive, so this errs low; never below 0."""
    return max(0, naive - calls)


class ProgressMeter:
    """One runner's view of its sweep's progress. ``naive`` starts at what
    the runs finished before it count (``naive_calls``) and grows with each
    batch the writer stores, so no event re-reads the runs."""

    def __init__(self, stages: int, naive: int, window_s: float = RATE_WINDOW_S):
        self.stages = stages
        self.naive = naive
        self.window_s = window_s
        self.samples: deque[tuple[float, int, int]] = deque()  # (t, calls, done)

    def add_runs(self, results: Iterable[RunResult]) -> None:
        stages = self.stages
        self.naive += sum(run_naive_calls(stages, r.status, r.trace) for r in results)

    def payload(self, sweep: Sweep, endpoints: dict[str, EndpointState]) -> Progress:
        """The ``sweep.progress`` payload for the sweep's counters now."""
        now = time.monotonic()
        samples = self.samples
        while samples and now - samples[0][0] > self.window_s:
            samples.popleft()
        calls_per_s = eta_s = None
        if samples and now > samples[0][0]:
            then, calls, done = samples[0]
            calls_per_s = round((sweep.calls - calls) / (now - then), 2)
            done_per_s = (sweep.done - done) / (now - then)
            left = sweep.planned - sweep.done
            if sweep.planned and done_per_s > 0:
                eta_s = round(max(0, left) / done_per_s, 1)
        samples.append((now, sweep.calls, sweep.done))
        return Progress(
            done=sweep.done,
            planned=sweep.planned,
            errors=sweep.errors,
            cache_hits=sweep.cache_hits,
            calls=sweep.calls,
            calls_saved=calls_saved(self.naive, sweep.calls),
            cost=round(sweep.cost, 6),
            calls_per_s=calls_per_s,
            eta_s=eta_s,
            endpoints=endpoints,
        )
