"""The run explorer's list: sorted by any column through cursor pages (ties
and nulls included, both ways), filtered by a config's axes (per stage of a
pipeline) and by one scorer's score."""

from __future__ import annotations

import random

import pytest

from experiments.engine import store
from experiments.models import Run, Score
from experiments.services.experiments import create_experiment
from experiments.services.sweeps import create_sweep
from experiments.tests.api_helpers import build_world, client_as
from experiments.tests.engine_helpers import extraction_spec
from experiments.tests.promotion_helpers import pipeline_spec

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(alice, bob, carol, charlie, project):
    return client_as(build_world(alice, bob, carol, charlie, project), "owner")


def planned(spec: dict) -> list[Run]:
    experiment, _ = create_experiment(spec)
    sweep = create_sweep(experiment)
    store.plan_runs(store.load_context(sweep.pk))
    return list(sweep.runs.order_by("id"))


@pytest.fixture
def runs(owner) -> list[Run]:
    """24 runs (2 models x 2 temperatures x 6 items) with tied scores and
    latencies, some of them null, and two scorers' scores."""
    made = planned(extraction_spec("http://127.0.0.1:9/v1", name="explorer"))
    chance = random.Random(7)
    for run in made:
        run.score = chance.choice([None, 0.0, 0.5, 0.5, 1.0])
        run.latency_ms = chance.choice([None, 120.0, 120.0, 300.0])
        run.save(update_fields=["score", "latency_ms"])
        Score.objects.create(run=run, scorer="json_valid", value=chance.choice([0, 1]))
        Score.objects.create(run=run, scorer="json_f1", value=run.score or 0.0)
    return made


def url(runs: list[Run]) -> str:
    return f"/api/sweeps/{runs[0].sweep_id}/runs/"


def walk(client, first: str) -> list[dict]:
    seen, page = [], client.get(first).json()
    while True:
        seen += page["results"]
        if not page["next"]:
            return seen
        page = client.get(page["next"]).json()


def expected(runs: list[Run], field: str, descending: bool) -> list[int]:
    present = [r for r in runs if getattr(r, field) is not None]
    present.sort(
        key=lambda r: (-getattr(r, field) if descending else getattr(r, field), r.pk)
    )
    return [r.pk for r in present] + [r.pk for r in runs if getattr(r, field) is None]


def test_pages_of_a_sorted_list_hold_every_run_once_in_order_with_nulls_last(
    owner, runs
):
    for ordering in ("score", "-score", "latency_ms", "-latency_ms"):
        field, descending = ordering.lstrip("-"), ordering.startswith("-")
        want = expected(runs, field, descending)
        forward = walk(owner, f"{url(runs)}?ordering={ordering}&page_size=5")
        assert [r["id"] for r in forward] == want, ordering

        # From the last page back to the first through the previous links.
        last = owner.get(f"{url(runs)}?ordering={ordering}&page_size=5").json()
        while last["next"]:
            last = owner.get(last["next"]).json()
        seen, page = list(reversed(last["results"])), last
        while page["previous"]:
            page = owner.get(page["previous"]).json()
            assert len(page["results"]) == 5
            seen += reversed(page["results"])
        assert [r["id"] for r in reversed(seen)] == want, ordering


def test_the_default_order_is_by_id_and_descending_id_reverses_it(owner, runs):
    ids = [r.pk for r in runs]
    assert [r["id"] for r in walk(owner, f"{url(runs)}?page_size=7")] == ids
    assert [
        r["id"] for r in walk(owner, f"{url(runs)}?ordering=-id&page_size=7")
    ] == ids[::-1]


def test_an_unknown_column_or_a_cursor_of_another_order_is_refused(owner, runs):
    bad = owner.get(f"{url(runs)}?ordering=output_text")
    assert bad.status_code == 400
    assert "ordering" in str(bad.json()) and "latency_ms" in str(bad.json())
    first = owner.get(f"{url(runs)}?ordering=score&page_size=5").json()
    cursor = first["next"].split("cursor=")[1].split("&")[0]
    other = owner.get(f"{url(runs)}?ordering=-score&cursor={cursor}")
    assert other.status_code == 400 and "cursor" in str(other.json())
    assert owner.get(f"{url(runs)}?cursor=not-a-cursor").status_code == 400


def test_each_run_lists_its_scorers_scores(owner, runs):
    listed = owner.get(f"{url(runs)}?page_size=3").json()["results"][0]
    scores = {s.scorer: s.value for s in runs[0].scores.all()}
    assert listed["scores_by_scorer"] == scores and set(scores) == {
        "json_valid",
        "json_f1",
    }


def ids(client, runs: list[Run], query: str) -> list[int]:
    answer = client.get(f"{url(runs)}?page_size=100&{query}")
    assert answer.status_code == 200, answer.json()
    return [r["id"] for r in answer.json()["results"]]


def test_axis_filters_match_model_and_param_values(owner, runs):
    sloppy = [r.pk for r in runs if r.config["model"] == "sim-sloppy"]
    warm = [r.pk for r in runs if r.config["params"]["temperature"] == 0.7]
    assert len(sloppy) == len(warm) == 12
    assert ids(owner, runs, "axis=model:sim-sloppy") == sloppy
    assert ids(owner, runs, "axis=params.temperature:0.7") == warm
    both = ids(owner, runs, "axis=model:sim-sloppy&axis=params.temperature:0.7")
    assert both == sorted(set(sloppy) & set(warm)) and len(both) == 6
    assert ids(owner, runs, "axis=model:no-such-model") == []


def test_a_malformed_axis_is_refused_naming_the_problem(owner, runs):
    for axis, says in (
        ("model", "NAME:VALUE"),
        ("colour:red", "no such stage"),
        ("params:0.7", "not an axis"),
        ("params.temperature.x:1", "not an axis"),
    ):
        answer = owner.get(f"{url(runs)}?axis={axis}")
        assert answer.status_code == 400, axis
        assert says in str(answer.json()) and "axis" in str(answer.json())


def test_a_pipeline_is_filtered_by_one_stages_axis(owner):
    spec = pipeline_spec("http://127.0.0.1:9/v1")
    del spec["endpoints"][0]["api_key_env"]  # the world's endpoint "sim" has none
    made = planned(spec)
    terse = [r.pk for r in made if r.config["stages"][0]["prompt"] == "terse"]
    assert 0 < len(terse) < len(made)
    assert ids(owner, made, "axis=extract.prompt:terse") == terse
    assert ids(owner, made, "axis=normalise.model:sim-normaliser") == [
        r.pk for r in made
    ]
    assert ids(owner, made, "axis=normalise.prompt:terse") == []
    unknown = owner.get(f"{url(made)}?axis=polish.model:x")
    assert unknown.status_code == 400 and "extract, normalise" in str(unknown.json())


def test_a_scorer_threshold_applies_to_that_scorers_score(owner, runs):
    valid = [r.pk for r in runs if r.scores.get(scorer="json_valid").value >= 1]
    assert 0 < len(valid) < len(runs)
    assert ids(owner, runs, "scorer=json_valid&scorer_min=1") == valid
    assert ids(owner, runs, "scorer=json_valid&scorer_max=0") == sorted(
        set(r.pk for r in runs) - set(valid)
    )
    halfway = [r.pk for r in runs if 0.4 <= (r.score or 0.0) <= 0.6]
    assert ids(owner, runs, "scorer=json_f1&scorer_min=0.4&scorer_max=0.6") == halfway
    for query, field in (("scorer_min=0.5", "scorer"), ("scorer=json_f1", "scorer")):
        refused = owner.get(f"{url(runs)}?{query}")
        assert refused.status_code == 400 and field in str(refused.json())
