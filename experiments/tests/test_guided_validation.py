"""Validating a guided strategy: its budget, halving and objectives, each
error on its field path, and what it reports: the budget's runs and cost
beside the full grid's."""

from __future__ import annotations

import pytest

from experiments.spec import validate_spec
from experiments.spec.halving import bracket, first_bracket, rung_items
from experiments.tests.factories import spec_doc

PRICED = {"input_per_mtok": 0, "output_per_mtok": 1_000_000}  # $1 per token out


def guided(**strategy) -> dict:
    """2 prompts x 2 models x 2 temperatures = 8 configs, 2 items: 16 runs."""
    doc = spec_doc(strategy={"type": "guided", "budget": 6, **strategy})
    doc["endpoints"][0]["prices"] = {"m1": PRICED, "m2": PRICED}
    return doc


def errors_of(doc) -> dict[str, str]:
    result = validate_spec(doc)
    assert not result.ok, "expected the spec to be invalid"
    return {e.path: e.message for e in result.errors}


def test_a_guided_strategy_reports_its_budget_beside_the_grid():
    result = validate_spec(guided(seed=3, objectives=["score", "-cost"]))
    assert result.ok, result.errors
    assert result.spec["strategy"] == {
        "type": "guided",
        "budget": 6,
        "seed": 3,
        "objectives": ["score", "-cost"],
    }
    assert (result.runs, result.grid_runs) == (6, 16)
    # max_tokens 64 at $1 a token: 64 per run.
    assert result.estimated_cost == pytest.approx(6 * 64)
    assert result.grid_estimated_cost == pytest.approx(16 * 64)
    assert "budget of 6 runs" in result.summary()
    assert "the full grid" in result.summary() and "16 runs" in result.summary()


def test_a_guided_strategy_needs_a_budget_covering_the_item_set():
    no_budget = guided()
    del no_budget["strategy"]["budget"]
    assert "needs a budget" in errors_of(no_budget)["strategy.budget"]
    short = errors_of(guided(budget=1))["strategy.budget"]
    assert "at least 2 runs" in short


@pytest.mark.parametrize(
    ("strategy", "path", "message"),
    [
        ({"halving": {"eta": 1}}, "strategy.halving.eta", ">= 2"),
        ({"halving": {"min_items": 0}}, "strategy.halving.min_items", ">= 1"),
        ({"halving": {"min_items": 3}}, "strategy.halving.min_items", "2 items"),
        ({"halving": {"rungs": 3}}, "strategy.halving.rungs", "unknown field"),
        ({"objectives": ["score", "score"]}, "strategy.objectives", "twice"),
        (
            {"objectives": ["score", "-cost", "-latency"]},
            "strategy.objectives",
            "one objective or two",
        ),
        ({"type": "grid", "halving": {"eta": 2}}, "strategy.halving", "only guided"),
    ],
)
def test_bad_guided_options_are_refused_on_their_paths(strategy, path, message):
    errors = errors_of(guided(**strategy))
    assert message in errors[path], errors


def test_halving_options_set_the_rungs():
    assert rung_items(9, 1, 3) == (1, 3, 9)
    assert rung_items(20, 3, 3) == (3, 9, 20)
    assert rung_items(5, 5, 2) == (5,)
    strategy = {"budget": 60, "halving": {"min_items": 3, "eta": 3}}
    plan = first_bracket(strategy, 9, 1, 60)
    assert plan.items == (3, 9) and plan.runs(1) <= 60
    # The default: as many rungs as items and configs allow halving for.
    plan = first_bracket({"budget": 60}, 9, 1, 60)
    assert plan.items == (1, 3, 9) and plan.configs == (26, 8, 2)
    assert plan.runs(1) == 26 + 8 * 2 + 2 * 6 <= 60
    assert first_bracket({"budget": 8}, 9, 1, 60) is None  # not one config


def test_a_spare_budget_keeps_more_configs_at_each_rung():
    items = (2, 6, 18, 40)
    # By thirds 120 configs cost 644 runs; 720 keep more at each rung.
    assert bracket(items, 3, 1, 644, 120).configs == (120, 40, 13, 4)
    plan = bracket(items, 3, 1, 720, 120)
    assert plan.configs == (120, 44, 16, 5) and 700 < plan.runs(1) <= 720
    assert bracket(items, 3, 2, 1440, 120).configs == (120, 44, 16, 5)
    # Enough for the grid: every config sees every item.
    assert bracket(items, 3, 1, 4800, 120).configs == (120,) * 4
    # Short of every config: thirds, as many configs as fit.
    assert bracket(items, 3, 1, 400, 120).configs == (78, 26, 8, 2)


@pytest.fixture
def api_world(alice, bob, carol, charlie, project):
    from experiments.tests.api_helpers import build_world

    return build_world(alice, bob, carol, charlie, project)


@pytest.mark.django_db
def test_the_apis_validate_reports_the_budget_and_the_grid(api_world):
    from experiments.tests.api_helpers import client_as
    from experiments.tests.engine_helpers import extraction_spec

    owner = client_as(api_world, "owner")
    spec = extraction_spec("http://127.0.0.1:9/v1", n_items=3)  # 4 configs
    spec["strategy"] = {"type": "guided", "budget": 6}
    checked = owner.post("/api/experiments/validate/", spec).json()
    assert checked["valid"], checked["errors"]
    assert (checked["runs"], checked["grid_runs"]) == (6, 12)
    assert 0 < checked["estimated_cost"] < checked["grid_estimated_cost"]
    spec["strategy"] = {"type": "guided", "budget": 2, "halving": {"eta": 1}}
    refused = owner.post("/api/experiments/validate/", spec).json()
    paths = {e["path"] for e in refused["errors"]}
    assert paths == {"strategy.halving.eta"}  # the shape first; then the budget


@pytest.mark.django_db
def test_validate_experiment_prints_the_budget_beside_the_grid(tmp_path):
    import io
    import json

    from django.core.management import call_command

    path = tmp_path / "guided.json"
    path.write_text(json.dumps(guided()))
    out = io.StringIO()
    call_command("validate_experiment", str(path), stdout=out)
    printed = out.getvalue()
    assert "guided search: a budget of 6 runs" in printed
    assert "est. cost $384.0000" in printed  # 6 runs x 64 tokens at $1
    assert "the full grid: 8 configs x 2 items x 1 samples = 16 runs" in printed
    assert "est. cost $1024.0000" in printed
