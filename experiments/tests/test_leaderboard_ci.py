"""The leaderboard's numbers (RunQuerySet.leaderboard): the mean of each
config's scored runs and its 95% interval, the percentile bootstrap seeded
with the sweep's id (experiments/analysis: more in its tests); failed runs
are counted apart and never pull the mean down."""

from __future__ import annotations

import hashlib
import statistics

import pytest

from experiments.analysis.stats import bootstrap_ci
from experiments.models import Run, Sweep
from experiments.services import create_experiment
from experiments.tests.factories import spec_doc

pytestmark = pytest.mark.django_db


@pytest.fixture
def sweep(project) -> Sweep:
    experiment, _ = create_experiment(spec_doc())
    return Sweep.objects.create(experiment=experiment)


def add_runs(sweep: Sweep, config: str, scores: list, status: str = "done") -> None:
    """One run per score, all of one config (a config hash per label)."""
    item = sweep.experiment.dataset.items.first()
    config_hash = hashlib.sha256(config.encode()).hexdigest()
    start = Run.objects.filter(sweep=sweep, config_hash=config_hash).count()
    Run.objects.bulk_create(
        Run(
            sweep=sweep,
            config_hash=config_hash,
            config={"prompt": config, "endpoint": "local", "model": "m1", "params": {}},
            item=item,
            sample_index=start + i,
            status=status,
            score=score,
            latency_ms=100.0 + i,
            cost=0.001,
        )
        for i, score in enumerate(scores)
    )


def expected_ci(sweep: Sweep, scores: list[float]) -> list[float]:
    """The seeded bootstrap of the scores, one (item, sample) pair each."""
    low, high = bootstrap_ci(scores, seed=sweep.pk)
    return [round(low, 4), round(high, 4)]


def board_of(sweep: Sweep) -> dict[str, dict]:
    return {row["config"]["prompt"]: row for row in sweep.runs.leaderboard()}


def test_the_interval_is_the_seeded_bootstrap_of_the_scored_runs(sweep):
    scores = [0.2, 0.4, 0.5, 0.6, 0.9]
    add_runs(sweep, "a", scores)
    row = board_of(sweep)["a"]
    assert row["n"] == 5
    assert row["score"] == round(statistics.fmean(scores), 4)
    assert row["ci95"] == pytest.approx(expected_ci(sweep, scores), abs=1e-4)
    assert row["ci95"][0] < row["score"] < row["ci95"][1]


def test_the_interval_stays_within_zero_and_one(sweep):
    add_runs(sweep, "high", [1.0, 1.0, 0.2])
    add_runs(sweep, "low", [0.0, 0.0, 0.9])
    board = board_of(sweep)
    assert board["high"]["ci95"][1] == 1.0 and board["high"]["ci95"][0] > 0.0
    assert board["low"]["ci95"][0] == 0.0 and board["low"]["ci95"][1] < 1.0


def test_one_run_or_equal_scores_give_an_interval_of_width_zero(sweep):
    add_runs(sweep, "one", [0.7])
    add_runs(sweep, "same", [0.5, 0.5, 0.5])
    board = board_of(sweep)
    assert board["one"]["ci95"] == [0.7, 0.7] and board["one"]["n"] == 1
    assert board["same"]["ci95"] == [0.5, 0.5]


def test_failed_runs_count_as_errors_and_not_in_the_mean_or_n(sweep):
    add_runs(sweep, "a", [0.8, 0.6])
    add_runs(sweep, "a", [None, None, None], status="failed")
    row = board_of(sweep)["a"]
    assert (row["n"], row["errors"], row["score"]) == (2, 3, 0.7)
    assert row["ci95"] == pytest.approx(expected_ci(sweep, [0.8, 0.6]), abs=1e-4)


def test_a_config_without_scored_runs_has_no_score_and_no_interval(sweep):
    add_runs(sweep, "dead", [None, None], status="failed")
    row = board_of(sweep)["dead"]
    assert (row["score"], row["ci95"], row["n"], row["errors"]) == (None, None, 0, 2)


def test_rows_rank_best_mean_first_then_fewer_errors_and_unscored_last(sweep):
    add_runs(sweep, "b", [0.5, 0.5])
    add_runs(sweep, "b", [None], status="failed")
    add_runs(sweep, "c", [0.5, 0.5])
    add_runs(sweep, "a", [0.9])
    add_runs(sweep, "z", [None], status="failed")
    board = sweep.runs.leaderboard()
    assert [(r["rank"], r["config"]["prompt"]) for r in board] == [
        (1, "a"),
        (2, "c"),
        (3, "b"),
        (4, "z"),
    ]
