"""The event log's retention: finished sweeps' logs are thinned of progress,
run batches and leaderboards (the last of each stays), never of created,
status or steering events; and the stored types' rename."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from experiments import tasks
from experiments.engine.events import KEPT_TYPES, publish
from experiments.models import Sweep, SweepEvent
from experiments.services.events import thin_sweep_events
from experiments.services.sweeps import steer_sweep
from experiments.tests.engine_helpers import extraction_spec, start

pytestmark = pytest.mark.django_db

THINNED = ("sweep.progress", "run.batch", "leaderboard")


def logged_sweep(simulator, *, finished_days_ago: float | None) -> Sweep:
    """A sweep whose log has three of each thinnable kind, a steering
    action and its statuses; finished that long ago (None: still running)."""
    sweep = start(extraction_spec(simulator.base_url))
    publish(sweep.pk, "sweep.status", {"status": "running", "error": ""})
    for n in range(3):
        publish(sweep.pk, "sweep.progress", {"done": n})
        publish(sweep.pk, "run.batch", {"runs": [{"id": n}]})
        publish(sweep.pk, "leaderboard", {"rows": [], "configs": n, "final": False})
    steer_sweep(sweep, "concurrency", value=2)
    if finished_days_ago is not None:
        Sweep.objects.filter(pk=sweep.pk).update(
            status="completed",
            finished_at=timezone.now() - timedelta(days=finished_days_ago),
        )
        publish(sweep.pk, "sweep.status", {"status": "completed", "error": ""})
    return sweep


def log_of(sweep: Sweep) -> list[tuple[str, dict]]:
    return [
        (e.type, e.payload)
        for e in SweepEvent.objects.filter(sweep=sweep).order_by("seq")
    ]


def test_an_old_sweeps_log_keeps_the_last_of_each_thinned_kind(simulator):
    old = logged_sweep(simulator, finished_days_ago=10)
    before = log_of(old)
    assert thin_sweep_events(days=7) == 3 * 2
    after = log_of(old)
    kept = [event for event in before if event[0] in KEPT_TYPES]
    assert [event for event in after if event[0] in KEPT_TYPES] == kept
    assert [t for t, _ in kept] == [
        "sweep.created",
        "sweep.status",
        "steering",
        "sweep.status",
    ]
    last = {kind: [p for t, p in before if t == kind][-1] for kind in THINNED}
    assert {t: p for t, p in after if t in THINNED} == last
    assert [t for t, _ in after if t in THINNED] == list(THINNED)  # one each
    # The seqs left are in order, with gaps where events went.
    seqs = list(SweepEvent.objects.filter(sweep=old).values_list("seq", flat=True))
    assert seqs == sorted(seqs) and seqs[-1] == len(before)
    assert thin_sweep_events(days=7) == 0  # nothing more to thin


def test_recent_and_unfinished_sweeps_are_left_alone(simulator):
    recent = logged_sweep(simulator, finished_days_ago=2)
    running = logged_sweep(simulator, finished_days_ago=None)
    Sweep.objects.filter(pk=running.pk).update(
        finished_at=timezone.now() - timedelta(days=30)  # not final all the same
    )
    before = {recent.pk: log_of(recent), running.pk: log_of(running)}
    assert thin_sweep_events(days=7) == 0
    assert {recent.pk: log_of(recent), running.pk: log_of(running)} == before


def test_retention_is_off_by_default_and_the_worker_applies_the_setting(
    simulator, settings
):
    old = logged_sweep(simulator, finished_days_ago=400)
    count = SweepEvent.objects.filter(sweep=old).count()
    assert settings.EVENT_RETENTION_DAYS == 0
    assert tasks.thin_sweep_events() == 0
    assert SweepEvent.objects.filter(sweep=old).count() == count
    settings.EVENT_RETENTION_DAYS = 30
    assert tasks.thin_sweep_events() == 6
    # migrate schedules it daily on the worker.
    schedule = Schedule.objects.get(func="experiments.tasks.thin_sweep_events")
    assert (schedule.schedule_type, schedule.repeats) == (Schedule.DAILY, -1)


def test_the_command_thins_or_says_what_it_would(simulator, capsys):
    old = logged_sweep(simulator, finished_days_ago=10)
    count = SweepEvent.objects.filter(sweep=old).count()
    call_command("thin_events", "--days", "7", "--dry-run")
    assert capsys.readouterr().out == "would delete 6 sweep events\n"
    assert SweepEvent.objects.filter(sweep=old).count() == count
    call_command("thin_events", "--days", "7")
    assert capsys.readouterr().out == "deleted 6 sweep events\n"
    call_command("thin_events")  # the setting: 0, off
    assert "nothing thinned" in capsys.readouterr().out
    assert SweepEvent.objects.filter(sweep=old).count() == count - 6


def test_the_migration_renames_the_event_types_stored_before(simulator):
    migration = importlib.import_module("experiments.migrations.0009_sweep_event_types")
    sweep = start(extraction_spec(simulator.base_url))
    for seq, kind in enumerate(["status", "progress", "steer", "status"], start=2):
        SweepEvent.objects.create(sweep=sweep, seq=seq, type=kind, payload={})
    migration.forwards(apps, None)
    assert list(
        SweepEvent.objects.filter(sweep=sweep).order_by("seq").values_list("type")
    ) == [
        ("sweep.created",),
        ("sweep.status",),
        ("sweep.progress",),
        ("steering",),
        ("sweep.status",),
    ]
    migration.backwards(apps, None)
    types = SweepEvent.objects.filter(sweep=sweep).order_by("seq")
    assert [t for (t,) in types.values_list("type")] == [
        "status",
        "status",
        "progress",
        "steer",
        "status",
    ]
