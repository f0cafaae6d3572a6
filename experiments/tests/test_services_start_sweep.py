"""One way to start a sweep (services.sweeps.start_sweep): created, handed to
the worker's queue only when its transaction commits, and its strategy
override validated exactly as it will run. The API's start action, the
``startsweep`` command and the demo bootstrap all start sweeps through it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django_q.brokers import get_broker
from django_q.signing import SignedPackage

from experiments.exceptions import Forbidden, InvalidRequest
from experiments.models import Sweep
from experiments.services import create_experiment
from experiments.services.setup import queue_demo_sweep
from experiments.services.sweeps import start_sweep
from experiments.spec import SpecInvalid
from experiments.tests.api_helpers import client_as
from experiments.tests.factories import spec_doc

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue():
    """The worker's real queue (the ORM or Redis broker of this mode), empty."""
    broker = get_broker()
    broker.purge_queue()
    yield broker
    broker.purge_queue()


def queued_sweeps(broker) -> list[int]:
    tasks = [SignedPackage.loads(payload) for _, payload in broker.dequeue() or []]
    return [task["args"][0] for task in tasks if task["name"].startswith("sweep-")]


@pytest.fixture
def experiment(project):
    experiment, _ = create_experiment(
        spec_doc(strategy={"type": "grid", "budget": 10}), None
    )
    return experiment


def test_a_started_sweep_is_queued_once_its_transaction_commits(
    experiment, alice, queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        sweep = start_sweep(experiment, alice, concurrency=3)
        assert queue.queue_size() == 0  # not before the row is visible
    for callback in callbacks:  # the status event, then the enqueue
        callback()
    assert queued_sweeps(queue) == [sweep.pk]
    assert (sweep.status, sweep.concurrency, sweep.created_by) == ("queued", 3, alice)


def test_a_start_rolled_back_with_its_transaction_queues_nothing(
    experiment, alice, queue, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        start_sweep(experiment, alice)
        raise RuntimeError("the caller's transaction fails")
    assert callbacks == [] and queue.queue_size() == 0
    assert not Sweep.objects.exists()


def test_the_api_start_action_queues_the_sweep(
    world, queue, django_capture_on_commit_callbacks
):
    url = f"/api/experiments/{world.ids['experiment']}/sweeps/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(world, "editor").post(url, {"concurrency": 2})
    assert response.status_code == 202, response.json()
    assert queued_sweeps(queue) == [response.json()["id"]]


def test_the_demo_bootstrap_queues_its_first_sweep_once(
    demo, queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue_demo_sweep(demo)
        again = queue_demo_sweep(demo)
    assert first is not None and again is None
    assert queued_sweeps(queue) == [first.pk]


def test_bootstrap_queues_one_sweep_per_demo_experiment_once(
    queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("bootstrap", stdout=io.StringIO())
        call_command("bootstrap", stdout=io.StringIO())
    sweeps = Sweep.objects.order_by("pk")
    assert [s.experiment.name for s in sweeps] == [
        "entity-extraction",
        "extract-then-normalise",
    ]
    queued = []
    for _ in range(queue.queue_size()):  # a broker hands out one task at a time
        queued += queued_sweeps(queue)
    assert sorted(queued) == [s.pk for s in sweeps]
    assert {s.status for s in sweeps} == {"queued"}


def test_a_type_change_is_validated_with_the_budget_the_sweep_keeps(
    world, queue, django_capture_on_commit_callbacks
):
    # The spec's budget stays in the merged strategy, so "random" without a
    # budget of its own runs with the spec's 10: valid, as it will run.
    experiment, _ = create_experiment(
        spec_doc(name="budgeted", strategy={"type": "grid", "budget": 10}), None
    )
    url = f"/api/experiments/{experiment.pk}/sweeps/"
    with django_capture_on_commit_callbacks(execute=True):
        started = client_as(world, "owner").post(url, {"strategy": {"type": "random"}})
    assert started.status_code == 202, started.json()
    assert started.json()["strategy"] == {
        "type": "random",
        "budget": 10,
        "seed": 0,
        "objectives": ["score"],
    }


def test_a_merged_strategy_that_would_not_validate_is_refused_and_nothing_stored(
    project, alice
):
    experiment, _ = create_experiment(spec_doc(name="plain"), None)  # no budget
    with pytest.raises(SpecInvalid) as refused:
        start_sweep(experiment, alice, strategy={"type": "random", "seed": 4})
    assert [e.path for e in refused.value.errors] == ["strategy.budget"]
    assert not Sweep.objects.exists()


def test_the_merged_strategy_is_checked_against_the_run_limit(project, alice, settings):
    # 2 prompts x 2 models x 2 temperatures x 2 items = 16 runs; a budget of
    # 5 kept from the spec makes the grid 5 runs, within a limit of 10.
    settings.MAX_RUNS = 10
    experiment, _ = create_experiment(
        spec_doc(name="capped", strategy={"type": "random", "budget": 5}), None
    )
    sweep = start_sweep(experiment, alice, strategy={"type": "grid"})
    assert sweep.strategy["type"] == "grid" and sweep.strategy["budget"] == 5
    with pytest.raises(SpecInvalid, match="16 runs"):  # no budget: the full grid
        start_sweep(experiment, alice, strategy={"type": "grid", "budget": None})


@pytest.mark.parametrize("concurrency", [0, -1, 1025])
def test_a_concurrency_outside_1_to_1024_is_refused(experiment, alice, concurrency):
    with pytest.raises(InvalidRequest, match="from 1 to 1024"):
        start_sweep(experiment, alice, concurrency=concurrency)
    assert not Sweep.objects.exists()


@pytest.fixture
def world(alice, bob, carol, charlie, project):
    from experiments.tests.api_helpers import build_world

    return build_world(alice, bob, carol, charlie, project)


def test_a_viewer_is_refused_before_the_strategy_is_judged(experiment, carol):
    with pytest.raises(Forbidden):
        start_sweep(experiment, carol, strategy={"type": "guided"})
    assert not Sweep.objects.exists()
