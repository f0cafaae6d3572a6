"""Configs side by side (GET /api/sweeps/{id}/compare/) on the simulator:
the items they share with each output, a word diff against the first
config's, scores and deltas, most disagreement first; and the parameters it
refuses. Who may call it: test_api_permissions.py."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from experiments.analysis.compare import word_diff
from experiments.models import Run, Sweep
from experiments.tests.engine_helpers import extraction_spec, run

# The engine writes from its own thread and connection: committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api(alice, project) -> APIClient:
    client = APIClient()
    client.force_login(alice)
    return client


@pytest.fixture
def sweep(simulator, project) -> Sweep:
    """4 configs (2 models x 2 temperatures) x 6 items x 2 samples."""
    return run(extraction_spec(simulator.base_url, samples=2))


def hashes(sweep: Sweep) -> dict[tuple[str, float], str]:
    """(model, temperature) -> config hash."""
    return {
        (r["config"]["model"], r["config"]["params"]["temperature"]): r["config_hash"]
        for r in sweep.runs.leaderboard()
    }


def joined(ops: list[dict], keep: str) -> str:
    return "".join(op["text"] for op in ops if op["op"] in ("equal", keep))


def test_a_word_diff_marks_what_changed_between_two_outputs():
    ops = word_diff("the cat sat on  the mat", "the dog sat on  the mat!")
    assert ops == [
        {"op": "equal", "text": "the "},
        {"op": "delete", "text": "cat"},
        {"op": "insert", "text": "dog"},
        {"op": "equal", "text": " sat on  the "},
        {"op": "delete", "text": "mat"},
        {"op": "insert", "text": "mat!"},
    ]
    assert word_diff("same", "same") == [{"op": "equal", "text": "same"}]
    assert word_diff("", "new words") == [{"op": "insert", "text": "new words"}]


def test_compare_shows_each_shared_item_with_outputs_diffs_and_deltas(api, sweep):
    by = hashes(sweep)
    first, other = by[("sim-extractor", 0.0)], by[("sim-sloppy", 0.7)]
    url = f"/api/sweeps/{sweep.pk}/compare/"
    body = api.get(url, {"configs": f"{first},{other}"}).json()
    assert [c["config_hash"] for c in body["configs"]] == [first, other]
    assert body["configs"][1]["label"] and body["configs"][1]["stages"] == []
    assert body["sample"] == 0 and body["shared_items"] == 6
    assert len(body["items"]) == 6
    for item in body["items"]:
        reference, compared = item["runs"]
        assert reference["diff"] is None and reference["score_delta"] == 0.0
        runs = {
            r.config_hash: r
            for r in Run.objects.filter(
                sweep=sweep, item_id=item["item_id"], sample_index=0
            )
        }
        assert reference["output"] == runs[first].output_text
        assert compared["output"] == runs[other].output_text
        # The ops rebuild both outputs: what the first has, what the other has.
        assert joined(compared["diff"], "delete") == reference["output"]
        assert joined(compared["diff"], "insert") == compared["output"]
        assert set(compared["scores"]) == {"json_valid", "json_f1:people"}
        for name, value in compared["scores"].items():
            expected = round(value - reference["scores"][name], 4)
            assert compared["scores_delta"][name] == pytest.approx(expected, abs=1e-4)
        assert item["disagreement"] == pytest.approx(
            abs(compared["score"] - reference["score"]), abs=1e-4
        )
        assert item["input"]["passage"].startswith("Ada Lovelace")
    summary = {s["config_hash"]: s for s in body["summary"]}
    assert summary[first]["score_delta"] == 0.0
    assert summary[other]["score_delta"] < 0  # sloppy at 0.7 trails


def test_the_items_they_disagree_on_most_come_first(api, sweep):
    by = hashes(sweep)
    configs = [by[("sim-extractor", 0.0)], by[("sim-sloppy", 0.7)],
               by[("sim-sloppy", 0.0)]]  # fmt: skip
    url = f"/api/sweeps/{sweep.pk}/compare/"
    items = api.get(url, {"configs": ",".join(configs)}).json()["items"]
    spreads = [item["disagreement"] for item in items]
    assert spreads == sorted(spreads, reverse=True)
    assert spreads[0] > spreads[-1]  # the sloppy model drops names on some items
    for item in items:
        scores = [r["score"] for r in item["runs"]]
        assert item["disagreement"] == pytest.approx(
            max(scores) - min(scores), abs=1e-4
        )
    # Pages: the same order, `limit` at a time.
    page = {"configs": ",".join(configs), "limit": 2}
    first = api.get(url, page).json()["items"]
    second = api.get(url, {**page, "offset": 2}).json()["items"]
    assert [i["item_id"] for i in first + second] == [i["item_id"] for i in items[:4]]


def test_compare_reads_the_sample_asked_for(api, sweep):
    by = hashes(sweep)
    configs = f"{by[('sim-extractor', 0.7)]},{by[('sim-sloppy', 0.7)]}"
    url = f"/api/sweeps/{sweep.pk}/compare/"
    body = api.get(url, {"configs": configs, "sample": 1}).json()
    run_ids = [r["run_id"] for item in body["items"] for r in item["runs"]]
    assert set(
        Run.objects.filter(pk__in=run_ids).values_list("sample_index", flat=True)
    ) == {1}
    assert api.get(url, {"configs": configs, "sample": 9}).json()["items"] == []


@pytest.mark.parametrize(
    ("params", "name", "message"),
    [
        ({}, "configs", "required"),
        ({"configs": "{0}"}, "configs", "give 2 to 4"),
        ({"configs": "{0},{0}"}, "configs", "named twice"),
        ({"configs": "{0},{1},a,b,c"}, "configs", "not 5"),
        ({"configs": "{0},feedface"}, "configs", 'unknown config "feedface"'),
        ({"configs": "{0},{1}", "sample": "-1"}, "sample", ""),
        ({"configs": "{0},{1}", "limit": "0"}, "limit", ""),
        ({"configs": "{0},{1}", "limit": "101"}, "limit", ""),
    ],
)
def test_a_bad_compare_parameter_is_a_400_naming_it(api, sweep, params, name, message):
    known = list(hashes(sweep).values())
    query = {k: v.format(*known) for k, v in params.items()}
    response = api.get(f"/api/sweeps/{sweep.pk}/compare/", query)
    assert response.status_code == 400
    body = response.json()
    assert [error["path"] for error in body["errors"]] == [name]
    assert message in body["errors"][0]["message"]
