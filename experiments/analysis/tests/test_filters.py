"""What an analysis ranks by: one scorer, a pipeline stage's scorers, one
sample index; and the names it refuses."""

from __future__ import annotations

import pytest

from experiments.analysis.data import AnalysisParameterError
from experiments.analysis.tests.handmade import config, hand_made, pipeline_spec

pytestmark = pytest.mark.django_db


def scores(board: list[dict]) -> dict[str, float]:
    return {row["config"]["prompt"]: row["score"] for row in board}


@pytest.fixture
def made(project):
    made = hand_made(n_items=2)
    # a: valid JSON, few names; b: invalid JSON half the time, all names.
    made.add(
        config("a"),
        [0.6, 0.6],
        scorers={"json_valid": [1, 1], "json_f1:people": [0.2, 0.2]},
    )
    made.add(
        config("b"),
        [0.75, 0.25],
        scorers={"json_valid": [1, 0], "json_f1:people": [0.5, 0.5]},
    )
    made.add(
        config("a"),
        [0.0, 0.0],
        sample=1,
        scorers={"json_valid": [0, 0], "json_f1:people": [0.0, 0.0]},
    )
    made.add(config("b"), [1.0, 1.0], sample=1,
             scorers={"json_valid": [1, 1], "json_f1:people": [1.0, 1.0]})  # fmt: skip
    return made


def test_a_scorer_filter_ranks_by_that_scorers_values(made):
    runs = made.sweep.runs
    assert scores(runs.leaderboard()) == {"a": 0.3, "b": 0.75}
    assert scores(runs.leaderboard(scorer="json_valid")) == {"a": 0.5, "b": 0.75}
    by_f1 = runs.leaderboard(scorer="json_f1:people")
    assert scores(by_f1) == {"a": 0.1, "b": 0.75}
    # Per-scorer means stay in every row, whatever the ranking.
    assert by_f1[0]["scores"] == {"json_f1:people": 0.75, "json_valid": 0.75}


def test_a_sample_filter_keeps_only_that_sample(made):
    runs = made.sweep.runs
    assert scores(runs.leaderboard(sample=0)) == {"a": 0.6, "b": 0.5}
    assert scores(runs.leaderboard(sample=1)) == {"a": 0.0, "b": 1.0}
    first = runs.leaderboard(sample=0)
    assert first[0]["config"]["prompt"] == "a" and first[0]["n"] == 2
    assert first[0]["scores"] == {"json_f1:people": 0.2, "json_valid": 1.0}
    assert runs.leaderboard(sample=7) == []
    heat = runs.heatmap(x="prompt", y="model", sample=1)
    assert {c["x"]: c["mean"] for c in heat["cells"]} == {"a": 0.0, "b": 1.0}


def test_unknown_scorers_and_stages_name_the_parameter(made):
    with pytest.raises(AnalysisParameterError) as scorer:
        made.sweep.runs.leaderboard(scorer="bleu")
    assert scorer.value.param == "scorer"
    assert "json_f1:people" in scorer.value.message
    with pytest.raises(AnalysisParameterError) as stage:
        made.sweep.runs.marginals(stage="extract")
    assert stage.value.param == "stage" and "not a pipeline" in stage.value.message


def test_a_stage_filter_ranks_by_the_weighted_mean_of_its_scorers(project):
    made = hand_made(n_items=2, spec=pipeline_spec([
        {"type": "json_valid", "weight": 3},
        {"type": "contains", "value": "Ada", "weight": 1},
    ]))  # fmt: skip
    names = ("extract.json_valid", "extract.contains")
    weights = dict.fromkeys(names[:1], 3.0) | dict.fromkeys(names[1:], 1.0)
    for prompt, (valid, contains) in (("x", (1.0, 0.0)), ("y", (0.0, 1.0))):
        stages = [("extract", prompt, "m1", {}), ("tidy", "tidy", "m1", {})]
        made.add(config(stages=stages), [0.5, 0.5], weights=weights,
                 scorers={names[0]: [valid] * 2, names[1]: [contains] * 2})  # fmt: skip
    board = made.sweep.runs.leaderboard(stage="extract")
    by_stage = {row["stages"][0]["prompt"]: row["score"] for row in board}
    assert by_stage == {"x": 0.75, "y": 0.25}  # (3 * 1 + 1 * 0) / 4, (0 + 1) / 4
    only = made.sweep.runs.leaderboard(stage="extract", scorer="extract.contains")
    assert {row["stages"][0]["prompt"]: row["score"] for row in only} == {
        "x": 0.0, "y": 1.0}  # fmt: skip
    with pytest.raises(AnalysisParameterError) as outside:
        made.sweep.runs.leaderboard(stage="extract", scorer="json_valid")
    assert outside.value.param == "scorer"
    with pytest.raises(AnalysisParameterError) as bare:
        made.sweep.runs.leaderboard(stage="tidy")
    assert "no scorers of its own" in bare.value.message
