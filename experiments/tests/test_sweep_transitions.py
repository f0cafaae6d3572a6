"""Sweep status changes: one table (``Sweep.TRANSITIONS``), used by every
caller. An invalid change raises ``InvalidTransition`` (a Conflict, 409 in the
API); the engine's conditional UPDATEs leave sweeps in other statuses alone."""

from __future__ import annotations

import itertools

import pytest

from experiments.engine import store
from experiments.exceptions import Conflict, InvalidTransition
from experiments.models import Sweep
from experiments.services.sweeps import steer_sweep
from experiments.tests.api_helpers import build_world, client_as

S = Sweep.Status
ALL = list(S)
# Written out rather than read from the model: this is the spec.
ALLOWED = {
    (S.QUEUED, S.RUNNING),
    (S.QUEUED, S.PAUSED),
    (S.QUEUED, S.COMPLETED),  # runs all done while it waited to restart
    (S.QUEUED, S.FAILED),
    (S.QUEUED, S.CANCELLED),
    (S.RUNNING, S.PAUSED),
    (S.RUNNING, S.COMPLETED),
    (S.RUNNING, S.FAILED),
    (S.RUNNING, S.CANCELLED),
    (S.PAUSED, S.QUEUED),  # resumed
    (S.PAUSED, S.RUNNING),
    (S.PAUSED, S.COMPLETED),  # paused as its last runs finished
    (S.PAUSED, S.FAILED),
    (S.PAUSED, S.CANCELLED),
}
PAIRS = list(itertools.product(ALL, ALL))


@pytest.mark.parametrize(("old", "new"), PAIRS)
def test_every_status_pair_is_allowed_or_refused_by_the_table(old, new):
    sweep = Sweep(pk=7, status=old)
    allowed = (old, new) in ALLOWED
    assert sweep.can_transition(new) is allowed
    if allowed:
        sweep.transition(new)
        assert sweep.status == new
        assert (sweep.finished_at is not None) is (new in Sweep.FINAL)
    else:
        with pytest.raises(InvalidTransition, match=f"sweep 7 is {old}"):
            sweep.transition(new)
        assert sweep.status == old and sweep.finished_at is None


def test_a_final_status_is_never_left():
    for final in Sweep.FINAL:
        assert not any(Sweep(status=final).can_transition(s) for s in ALL)


def test_an_invalid_transition_is_a_conflict():
    assert issubclass(InvalidTransition, Conflict)


@pytest.fixture
def world(alice, bob, carol, charlie, project):
    return build_world(alice, bob, carol, charlie, project)


@pytest.mark.django_db
def test_conditional_updates_move_only_sweeps_whose_status_allows_it(world):
    sweep = Sweep.objects.get(pk=world.ids["sweep"])
    rows = Sweep.objects.filter(pk=sweep.pk)
    for old, new in PAIRS:
        rows.update(status=old, finished_at=None)
        moved = rows.transition(new)
        sweep.refresh_from_db()
        assert moved == ((old, new) in ALLOWED), (old, new)
        assert sweep.status == (new if moved else old)
        assert (sweep.finished_at is not None) is bool(moved and new in Sweep.FINAL)


@pytest.mark.django_db
def test_resuming_a_sweep_that_is_not_paused_answers_409(world):
    owner = client_as(world, "owner")
    refused = owner.post(f"/api/sweeps/{world.ids['sweep']}/resume/")
    assert refused.status_code == 409
    assert refused.json()["detail"].endswith("is queued, not paused")


@pytest.mark.django_db
def test_a_runner_ending_with_an_error_leaves_a_cancelled_sweep_cancelled(world):
    sweep = Sweep.objects.get(pk=world.ids["sweep"])
    token = store.claim(sweep.pk)
    steer_sweep(sweep, "cancel")
    assert store.finish(sweep.pk, token, "the runner crashed") == S.CANCELLED
    sweep.refresh_from_db()
    assert (sweep.status, sweep.lease) == (S.CANCELLED, "")


@pytest.mark.django_db
def test_a_paused_sweep_whose_runs_are_all_done_completes(world):
    sweep = Sweep.objects.get(pk=world.ids["sweep"])
    token = store.claim(sweep.pk)
    store.start(sweep.pk, token)
    sweep.runs.update(status="done")
    steer_sweep(sweep, "pause")
    assert store.finish(sweep.pk, token) == S.COMPLETED
    sweep.refresh_from_db()
    assert sweep.status == S.COMPLETED and sweep.finished_at is not None
