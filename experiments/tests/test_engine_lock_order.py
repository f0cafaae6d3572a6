"""A batch of results landing while someone cancels the sweep: both take the
sweep's row first, so neither holds runs the other waits for (PostgreSQL
reports that as a deadlock and fails the cancel)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection, transaction

from experiments.engine.store import write_results
from experiments.engine.store.records import RunResult
from experiments.models import CachedResponse, Run, Sweep
from experiments.tests.engine_helpers import extraction_spec, run

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _in_thread(target) -> threading.Thread:
    def body():
        try:
            target()
        finally:
            connection.close()

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread


def test_a_landing_batch_waits_for_the_sweep_row_before_it_locks_any_run(simulator):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite locks the whole file")
    sweep = run(extraction_spec(simulator.base_url, n_items=2))
    run_id = sweep.runs.values_list("pk", flat=True)[0]
    holding, release = threading.Event(), threading.Event()

    def steering() -> None:  # what steer_sweep holds while it cancels
        with transaction.atomic():
            Sweep.objects.select_for_update().get(pk=sweep.pk)
            holding.set()
            release.wait(10)

    steerer = _in_thread(steering)
    assert holding.wait(10)
    writer = _in_thread(
        lambda: write_results(sweep.pk, [RunResult(run_id=run_id, status="done")])
    )
    time.sleep(0.5)
    try:
        with transaction.atomic():  # the cancel's next step: the sweep's runs
            runs = Run.objects.select_for_update(nowait=True, of=("self",))
            assert len(runs.filter(pk=run_id)) == 1
    except OperationalError as locked:
        pytest.fail(f"the writer locked a run before the sweep row: {locked}")
    finally:
        assert writer.is_alive()  # still waiting for the sweep row
        release.set()
        steerer.join(10)
        writer.join(10)
    assert not writer.is_alive()
    assert Sweep.objects.get(pk=sweep.pk).done == sweep.done + 1


def test_a_batch_aborted_as_a_deadlock_is_written_once_on_retry(simulator):
    """Two sweeps sharing cache entries count hits on the same rows in their
    own orders: PostgreSQL aborts one batch, which is written again."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite locks the whole file")
    sweep = run(extraction_spec(simulator.base_url, n_items=2))
    first, second = CachedResponse.objects.order_by("pk")[:2]
    holding, release = threading.Event(), threading.Event()

    def other_sweep() -> None:  # counts hits on the same rows, the other way
        with transaction.atomic():
            CachedResponse.objects.select_for_update().get(pk=second.pk)
            holding.set()
            time.sleep(0.3)  # the writer now holds ``first``, waits for ``second``
            CachedResponse.objects.select_for_update().get(pk=first.pk)
            release.wait(0.3)

    other = _in_thread(other_sweep)
    assert holding.wait(10)
    hits = {(first.scope, first.key): 1, (second.scope, second.key): 2}
    write_results(sweep.pk, [], key_hits=hits)  # aborted once, then waits
    other.join(10)
    counts = dict(
        CachedResponse.objects.filter(pk__in=[first.pk, second.pk]).values_list(
            "pk", "hit_count"
        )
    )
    assert counts == {first.pk: first.hit_count + 1, second.pk: second.hit_count + 2}
