"""A project's cache per experiment (``GET /api/cache/experiments/``): the
entries purging an experiment deletes, their hits and savings, in a fixed
number of queries; scoped like every project read."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from experiments.engine import store
from experiments.models import Experiment, Run
from experiments.services.cache import purge_queryset
from experiments.services.experiments import create_experiment
from experiments.services.sweeps import create_sweep
from experiments.tests.api_helpers import build_world, client_as
from experiments.tests.engine_helpers import extraction_spec
from experiments.tests.test_cache_stats import cached

pytestmark = pytest.mark.django_db


def _use_keys(experiment_id: int, *keys: str) -> None:
    """The experiment's first runs were answered by these cache keys."""
    runs = Run.objects.filter(sweep__experiment_id=experiment_id).order_by("id")
    for run, key in zip(runs, keys, strict=False):
        Run.objects.filter(pk=run.pk).update(cache_key=key * 64)


def _second_experiment(alice, name: str) -> int:
    spec = extraction_spec("http://127.0.0.1:9/v1", n_items=2, name=name)
    experiment, _ = create_experiment(spec, alice)
    store.plan_runs(store.load_context(create_sweep(experiment, alice).pk))
    return experiment.pk


def _rows(client, project_id: int) -> tuple[list[dict], int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/cache/experiments/?project={project_id}")
    assert response.status_code == 200, response.content
    return response.json(), len(queries)


def test_each_experiment_shows_what_purging_it_would_delete(
    alice, bob, carol, charlie, project
):
    world = build_world(alice, bob, carol, charlie, project)
    first = world.ids["experiment"]
    other = _second_experiment(alice, "another")
    _use_keys(first, "a", "a", "b")  # two runs share one entry
    _use_keys(other, "b", "c")  # "b" is shared by both experiments
    cached(project, "a", hits=3, cost=0.5)
    cached(project, "b", hits=1, cost=2.0)
    cached(project, "c", hits=0, cost=1.0)
    cached(project, "d", hits=9, cost=1.0)  # a judge's: no run names it
    cached(world.zeta, "a", hits=5, cost=1.0)  # same key, another project

    rows, _ = _rows(client_as(world, "viewer"), project.pk)

    assert rows == [
        {
            "experiment": other,
            "name": "another",
            "entries": 2,
            "hits": 1,
            "calls_saved": 1,
            "cost_saved": 2.0,
        },
        {
            "experiment": first,
            "name": "engine-test",
            "entries": 2,
            "hits": 4,
            "calls_saved": 4,
            "cost_saved": 3.5,
        },
    ]
    for row in rows:
        experiment = Experiment.objects.get(pk=row["experiment"])
        selected = purge_queryset(project=project, experiment=experiment)
        assert selected.count() == row["entries"]


def test_an_experiment_without_cached_responses_shows_zeros(
    alice, bob, carol, charlie, project
):
    world = build_world(alice, bob, carol, charlie, project)
    rows, _ = _rows(client_as(world, "owner"), project.pk)
    assert rows == [
        {
            "experiment": world.ids["experiment"],
            "name": "engine-test",
            "entries": 0,
            "hits": 0,
            "calls_saved": 0,
            "cost_saved": 0.0,
        }
    ]


def test_the_queries_do_not_grow_with_the_experiments(
    alice, bob, carol, charlie, project
):
    world = build_world(alice, bob, carol, charlie, project)
    client = client_as(world, "owner")
    _rows(client, project.pk)  # warm: the first request loads more
    _, few = _rows(client, project.pk)
    for n in range(3):
        pk = _second_experiment(alice, f"extra-{n}")
        _use_keys(pk, str(n))
        cached(project, str(n), hits=n, cost=1.0)
    rows, many = _rows(client, project.pk)
    assert len(rows) == 4
    assert many == few


def test_another_projects_cache_answers_as_one_that_does_not_exist(
    alice, bob, carol, charlie, project
):
    world = build_world(alice, bob, carol, charlie, project)
    viewer = client_as(world, "viewer")
    assert (
        viewer.get(f"/api/cache/experiments/?project={world.zeta.pk}").status_code
        == 404
    )
    assert viewer.get("/api/cache/experiments/?project=999999").status_code == 404
    missing = viewer.get("/api/cache/experiments/")
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["path"] == "project"
    assert (
        client_as(world, "key_other")
        .get(f"/api/cache/experiments/?project={project.pk}")
        .status_code
        == 404
    )
