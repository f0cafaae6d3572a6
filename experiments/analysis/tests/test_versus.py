"""Sweep against sweep on the simulator: a prompt's new version that loses
the names regresses its config and only it, across sweeps of one experiment
and of two experiments sharing items; the API (GET /api/sweeps/{a}/versus/
{b}/) and the `compare_sweeps` command, which fails a CI gate on it."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from experiments.models import Run, Sweep
from experiments.services.analysis import compare_sweeps
from experiments.tests.engine_helpers import extraction_spec, run

# The engine writes from its own thread and connection: committed rows.
pytestmark = pytest.mark.django_db(transaction=True)

GOOD = "Text: {{ passage }}"
# The simulator's models find names by their capitals: none are left.
LOST = "Text: {{ passage | lower }}"


def two_prompts(base_url: str, q_template: str = GOOD, **overrides) -> dict:
    """One model at temperature 0, prompts p and q, 6 items."""
    return extraction_spec(
        base_url,
        prompts=[
            {"name": "p", "template": GOOD},
            {"name": "q", "template": q_template},
        ],
        models=[{"endpoint": "sim", "model": "sim-extractor"}],
        params={"temperature": [0.0]},
        **overrides,
    )


@pytest.fixture
def api(alice, project) -> APIClient:
    client = APIClient()
    client.force_login(alice)
    return client


@pytest.fixture
def before(simulator, project) -> Sweep:
    return run(two_prompts(simulator.base_url))


@pytest.fixture
def after(simulator, before) -> Sweep:
    """The same experiment after prompt q's new version."""
    return run(two_prompts(simulator.base_url, LOST))


def by_prompt(result: dict) -> dict[str, dict]:
    return {row["config"]["prompt"]: row for row in result["configs"]}


def test_a_prompt_version_that_loses_the_names_is_flagged_a_regression(before, after):
    result = compare_sweeps(before, after)
    assert result["a"]["id"] == before.pk and result["b"]["id"] == after.pk
    assert result["shared_items"] == 6 and result["only_in_a"] == []
    rows = by_prompt(result)
    q, p = rows["q"], rows["p"]
    # json_valid stays 1, json_f1:people falls from 0.5 to 0 (the heuristic
    # misses "Ada Lovelace <n>" but finds Babbage): the composite 0.75 -> 0.5.
    assert q["mean_a"] == 0.75 and q["mean_b"] == 0.5 and q["delta"] == -0.25
    assert q["delta_ci95"][1] < 0 and q["p_value"] < 0.05
    assert q["verdict"] == "regression" and q["paired_items"] == 6
    assert p["delta"] == 0.0 and p["verdict"] == "same"
    assert result["regressions"] == 1 and result["improvements"] == 0
    assert result["configs"][0]["config"]["prompt"] == "q"  # the worst first
    # The other way round, the same change is an improvement.
    back = by_prompt(compare_sweeps(after, before))
    assert back["q"]["verdict"] == "improvement" and back["q"]["delta"] == 0.25


def test_a_scorer_can_be_compared_instead_of_the_composite(before, after):
    rows = by_prompt(compare_sweeps(before, after, scorer="json_valid"))
    assert rows["q"]["delta"] == 0.0 and rows["q"]["verdict"] == "same"


def test_experiments_sharing_items_match_them_by_content(simulator, before, after):
    other = run(two_prompts(simulator.base_url, LOST, name="engine-test-copy"))
    own = set(Run.objects.filter(sweep=other).values_list("item_id", flat=True))
    base = set(Run.objects.filter(sweep=before).values_list("item_id", flat=True))
    assert not own & base  # its own dataset rows, with the same content
    result = compare_sweeps(before, other)
    assert result["shared_items"] == 6
    assert by_prompt(result)["q"]["verdict"] == "regression"
    assert compare_sweeps(after, other)["regressions"] == 0


def test_the_api_answers_the_comparison_of_two_visible_sweeps(
    api, simulator, before, after
):
    url = f"/api/sweeps/{before.pk}/versus/{after.pk}/"
    body = api.get(url).json()
    assert body == json.loads(json.dumps(compare_sweeps(before, after)))
    scorer = api.get(url, {"scorer": "bleu"})
    assert scorer.status_code == 400
    assert [e["path"] for e in scorer.json()["errors"]] == ["scorer"]
    # A sweep the caller cannot see is as missing as one that does not exist.
    hidden = run(two_prompts(simulator.base_url, project="zeta"))
    for path in (f"{before.pk}/versus/{hidden.pk}", f"{hidden.pk}/versus/{before.pk}",
                 f"{before.pk}/versus/999999"):  # fmt: skip
        assert api.get(f"/api/sweeps/{path}/").status_code == 404


def test_the_command_prints_the_table_and_fails_on_a_regression(before, after):
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"1 config\(s\) regressed.*: q / "):
        call_command("compare_sweeps", before.pk, after.pk, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split()[:3] == ["mean", "A", "mean"]
    assert "-0.250" in lines[1] and "regression" in lines[1] and "q / " in lines[1]
    assert "same" in lines[2] and "p / " in lines[2]
    assert "1 regressions, 0 improvements" in lines[3]
    call_command("compare_sweeps", before.pk, before.pk, stdout=io.StringIO())


def test_the_commands_exit_code_gates_ci_and_its_json_is_the_apis(
    manage, before, after
):
    failed = manage("compare_sweeps", str(before.pk), str(after.pk), "--json")
    assert failed.returncode == 1
    assert "regressed" in failed.stderr
    assert json.loads(failed.stdout) == json.loads(
        json.dumps(compare_sweeps(before, after))
    )
    passed = manage("compare_sweeps", str(after.pk), str(before.pk))
    assert passed.returncode == 0, passed.stderr
    assert "improvement" in passed.stdout and "0 regressions" in passed.stdout
    unknown = manage("compare_sweeps", str(before.pk), "999999")
    assert unknown.returncode == 1 and "no sweep 999999" in unknown.stderr
    scorer = manage("compare_sweeps", str(before.pk), str(after.pk), "--scorer", "x")
    assert scorer.returncode == 1 and 'unknown scorer "x"' in scorer.stderr


def test_a_noisy_drop_is_a_regression_and_a_mixed_change_is_not():
    from experiments.analysis.tests.handmade import config, hand_made
    from experiments.analysis.versus import versus

    a, b = hand_made(8), hand_made(8)  # one experiment: the same item rows
    assert a.items == b.items
    base = [0.9, 0.8, 0.7, 0.9, 0.8, 0.7, 0.9, 0.8]
    drop = [0.2, 0.3, 0.1, 0.2, 0.25, 0.15, 0.2, 0.3]
    wobble = [0.1, -0.1, 0.05, -0.05, 0.1, -0.1, 0.0, 0.0]
    worse, mixed, gone = config("p", "m1"), config("p", "m2"), config("p", "m3")
    a.add(worse, base), a.add(mixed, base), a.add(gone, base)
    b.add(worse, [s - d for s, d in zip(base, drop, strict=True)])
    b.add(mixed, [s + w for s, w in zip(base, wobble, strict=True)])
    result = compare_sweeps(a.sweep, b.sweep)
    rows = {row["config"]["model"]: row for row in result["configs"]}
    assert set(rows) == {"m1", "m2"} and len(result["only_in_a"]) == 1
    assert rows["m1"]["delta"] == pytest.approx(-0.2125)
    low, high = rows["m1"]["delta_ci95"]
    assert low < -0.2125 < high < 0 and rows["m1"]["verdict"] == "regression"
    assert rows["m2"]["delta_ci95"][0] < 0 < rows["m2"]["delta_ci95"][1]
    assert rows["m2"]["verdict"] == "same" and rows["m2"]["p_value"] > 0.05
    # Seeded: the same answer every time it is computed (not only cached).
    assert versus(a.sweep, b.sweep) == versus(a.sweep, b.sweep) == result
