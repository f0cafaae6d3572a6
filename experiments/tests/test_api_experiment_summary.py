"""The experiment list carries each experiment's last sweep (status, times,
progress, the best score of its latest leaderboard) and its labels' current
promotions, read in a fixed number of queries however many experiments."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from experiments.models import Experiment, Sweep
from experiments.services.experiments import create_experiment
from experiments.services.promotions import promote_config
from experiments.services.sweeps import create_sweep, run_sweep
from experiments.tests.engine_helpers import extraction_spec, start
from experiments.tests.promotion_helpers import api, finished_sweep, ranked

pytestmark = pytest.mark.django_db(transaction=True)


def listed(user, name: str = "engine-test") -> dict:
    rows = api(user).get("/api/experiments/").json()["results"]
    return next(row for row in rows if row["name"] == name)


def test_the_list_shows_the_last_sweep_and_its_best_score(alice, project, simulator):
    first = finished_sweep(simulator.base_url)
    second = finished_sweep(simulator.base_url)
    assert second.experiment_id == first.experiment_id
    row = listed(alice)
    board = second.runs.leaderboard()
    assert row["sweeps"] == 2
    last = row["last_sweep"]
    assert last["id"] == second.pk
    assert last["status"] == "completed"
    assert last["planned"] == last["done"] == second.planned > 0
    assert last["best_score"] == board[0]["score"]
    assert last["created_at"] and last["started_at"] and last["finished_at"]
    # A newer sweep that has not run yet has no leaderboard: no best score.
    queued = create_sweep(second.experiment, alice)
    last = listed(alice)["last_sweep"]
    assert last["id"] == queued.pk and last["status"] == "queued"
    assert last["best_score"] is None and last["started_at"] is None


def test_the_sweep_history_gives_each_sweep_its_best_score(alice, project, simulator):
    first = finished_sweep(simulator.base_url)
    second = finished_sweep(simulator.base_url, params={"temperature": [0.7]})
    queued = create_sweep(second.experiment, alice)
    url = f"/api/experiments/{first.experiment_id}/sweeps/"
    rows = api(alice).get(url).json()["results"]
    assert [(r["id"], r["best_score"]) for r in rows] == [
        (queued.pk, None),
        (second.pk, second.runs.leaderboard()[0]["score"]),
        (first.pk, first.runs.leaderboard()[0]["score"]),
    ]
    assert rows[1]["best_score"] is not None


def test_a_sweep_whose_every_run_failed_has_no_best_score(alice, project):
    # Nothing listens at the endpoint's port: every call fails.
    sweep = run_sweep(start(extraction_spec("http://127.0.0.1:9/v1", n_items=2)))
    assert sweep.status == "failed" and sweep.runs.leaderboard()[0]["score"] is None
    assert listed(alice)["last_sweep"]["best_score"] is None
    url = f"/api/experiments/{sweep.experiment_id}/sweeps/"
    assert api(alice).get(url).json()["results"][0]["best_score"] is None


def test_an_experiment_without_sweeps_has_no_last_sweep_and_no_labels(alice, project):
    create_experiment(extraction_spec("http://127.0.0.1:9/v1", name="fresh"), alice)
    row = listed(alice, "fresh")
    assert row["sweeps"] == 0
    assert row["last_sweep"] is None and row["labels"] == []


def test_each_label_shows_its_current_promotion(alice, bob, project, simulator):
    sweep = finished_sweep(simulator.base_url)
    best, second, *_ = ranked(sweep)
    promote_config(sweep, best, "production", alice)
    promote_config(sweep, second, "staging", alice)
    promote_config(sweep, second, "production", bob)  # production moves on
    labels = listed(alice)["labels"]
    assert [(x["label"], x["config_hash"], x["promoted_by"]) for x in labels] == [
        ("production", second, "bob"),
        ("staging", second, "alice"),
    ]
    assert all(x["sweep"] == sweep.pk and x["promoted_at"] for x in labels)
    # The experiment page reads the same fields.
    experiment = api(alice).get(f"/api/experiments/{sweep.experiment_id}/").json()
    assert experiment["labels"] == labels
    assert experiment["last_sweep"]["id"] == sweep.pk


def test_the_list_takes_the_same_queries_for_one_experiment_or_many(
    alice, project, simulator
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api(alice).get("/api/experiments/").status_code == 200
        return len(captured)

    sweep = finished_sweep(simulator.base_url)
    promote_config(sweep, ranked(sweep)[0], "production", alice)
    one = queries()
    for n in range(3):
        spec = extraction_spec(simulator.base_url, n_items=2, name=f"more-{n}")
        experiment, _ = create_experiment(spec, alice)
        finished = run_sweep(create_sweep(experiment, alice))
        promote_config(finished, ranked(finished)[0], "production", alice)
    assert Experiment.objects.count() == 4 and Sweep.objects.count() == 4
    assert queries() == one
