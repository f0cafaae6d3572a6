"""A finished sweep's analyses read its runs once, as stored columns: the
answers are the ones the runs table gives, and runs that land after the
sweep ended (a cancel's stragglers) are not missed."""

from __future__ import annotations

import pytest

from experiments.analysis.tests.handmade import config, hand_made
from experiments.models import Run, Sweep, SweepColumns
from experiments.tests.engine_helpers import extraction_spec, run

pytestmark = pytest.mark.django_db

QUESTIONS = [
    ("leaderboard", {}),
    ("leaderboard", {"scorer": "json_f1:people"}),
    ("leaderboard", {"sample": 1}),
    ("pareto", {}),
    ("pareto", {"sample": 0, "scorer": "json_valid"}),
    ("marginals", {}),
    ("heatmap", {"x": "prompt", "y": "model"}),
]


@pytest.fixture
def made(project):
    made = hand_made(n_items=3)
    values = {
        "a": ([0.6, 0.5, 0.9], [0.0, 1.0, 1.0]),
        "b": ([0.2, 0.8, 0.4], [1.0, 1, 0]),
    }
    for sample in (0, 1):
        for prompt, (f1, valid) in values.items():
            for model in ("m1", "m2"):
                shift = 0.1 * sample + (0.05 if model == "m2" else 0.0)
                made.add(
                    config(prompt, model),
                    [round(min(1.0, v + shift), 3) for v in f1],
                    sample=sample,
                    scorers={"json_f1:people": f1, "json_valid": valid},
                    cost=[0.001 * (1 + sample), 0.002, 0.003],
                    latency_ms=[100.0, 250.0 + 10 * sample, 400.0],
                )
    # The planner's first config, "b" on m2, has its first run last here:
    # configs are numbered by their first run, with or without a filter.
    made.add(config("c", "m1"), [0.3], sample=1, scorers={"json_f1:people": [0.3]})
    return made


def answer(sweep: Sweep, section: str, options: dict):
    return getattr(sweep.runs.all(), section)(**options)


def set_status(sweep: Sweep, status: str) -> None:
    Sweep.objects.filter(pk=sweep.pk).update(status=status)
    sweep.refresh_from_db()


def test_a_finished_sweep_answers_from_its_stored_columns_as_from_its_runs(made):
    sweep = made.sweep
    set_status(sweep, "running")  # read from the runs table, nothing stored
    from_runs = [answer(sweep, s, o) for s, o in QUESTIONS]
    assert not SweepColumns.objects.exists()
    set_status(sweep, "completed")
    first = [answer(sweep, s, o) for s, o in QUESTIONS]  # reads, then stores
    assert SweepColumns.objects.filter(sweep=sweep).count() == 1
    stored = [answer(sweep, s, o) for s, o in QUESTIONS]
    assert first == from_runs
    assert stored == from_runs
    boards = dict(zip(map(repr, QUESTIONS), stored, strict=True))
    only_1 = boards[repr(("leaderboard", {"sample": 1}))]
    assert {row["config"]["prompt"] for row in only_1} == {"a", "b", "c"}


def test_runs_that_land_after_a_cancel_are_in_the_next_analysis(made):
    sweep = made.sweep
    late = made.add(config("d", "m1"), [None, None, None], status="pending")
    Sweep.objects.filter(pk=sweep.pk).update(status="cancelled", done=24)
    before = answer(sweep, "leaderboard", {})
    assert [r["n"] for r in before if r["config"]["prompt"] == "d"] == [0]
    # The runner still out writes its results and moves the counters.
    Run.objects.filter(pk__in=[r.pk for r in late]).update(status="done", score=1.0)
    Sweep.objects.filter(pk=sweep.pk).update(done=27)
    after = answer(sweep, "leaderboard", {})
    assert after[0]["config"]["prompt"] == "d" and after[0]["n"] == 3
    assert SweepColumns.objects.filter(sweep=sweep).count() == 1  # replaced


@pytest.mark.django_db(transaction=True)
def test_a_sweep_that_ends_has_its_columns_stored_by_the_runner(simulator):
    # The runner's final leaderboard reads the runs once: the first
    # analysis a user asks for reads the columns.
    sweep = run(extraction_spec(simulator.base_url, n_items=3))
    assert sweep.status == "completed"
    assert SweepColumns.objects.filter(sweep=sweep).count() == 1
    stored = answer(sweep, "leaderboard", {})
    SweepColumns.objects.all().delete()
    assert answer(sweep, "leaderboard", {}) == stored
