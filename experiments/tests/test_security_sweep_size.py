"""A sweep's size is capped (PROMPTLOOPER_MAX_CONFIGS / PROMPTLOOPER_MAX_RUNS),
and the planners never build the whole search space."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from experiments.engine.planner import plan
from experiments.spec import validate_spec
from experiments.tests.api_helpers import build_world, client_as
from experiments.tests.factories import spec_doc

REPO = Path(__file__).resolve().parents[2]
# Ten axes of 100 values: 10**20 configs.
HUGE_PARAMS = {f"axis{i}": list(range(100)) for i in range(10)}


def one_prompt_one_model(**overrides) -> dict:
    doc = spec_doc(**overrides)
    doc["prompts"] = doc["prompts"][:1]
    doc["models"] = doc["models"][:1]
    return doc


def errors_of(result) -> dict[str, str]:
    assert not result.ok, "expected the spec to be refused"
    return {e.path: e.message for e in result.errors}


def test_a_grid_over_the_configs_limit_is_refused_with_its_count_and_the_limit():
    result = validate_spec(one_prompt_one_model(params=HUGE_PARAMS))
    message = errors_of(result)["strategy"]
    assert "100,000,000,000,000,000,000 configs" in message
    assert "limit of 10,000" in message and "PROMPTLOOPER_MAX_CONFIGS" in message


def test_runs_over_the_runs_limit_are_refused_for_grid_and_random(settings):
    settings.MAX_RUNS = 10
    # 2 prompts x 2 models x 2 temperatures x 2 items = 16 runs
    grid = errors_of(validate_spec(spec_doc()))["strategy.budget"]
    assert "16 runs" in grid and "limit of 10" in grid
    assert "PROMPTLOOPER_MAX_RUNS" in grid
    random = spec_doc(strategy={"type": "random", "budget": 12})
    assert "12 runs" in errors_of(validate_spec(random))["strategy.budget"]
    within = validate_spec(spec_doc(strategy={"type": "random", "budget": 10}))
    assert within.ok and within.runs == 10


def test_random_search_may_search_more_configs_than_a_grid_may_within_its_budget():
    doc = one_prompt_one_model(
        params=HUGE_PARAMS, strategy={"type": "random", "budget": 50, "seed": 3}
    )
    result = validate_spec(doc)
    assert result.ok, result.errors
    assert result.configs == 10**20 and result.runs == 50
    assert result.estimated_cost is None  # no prices: but computed without error


def test_the_random_planner_still_draws_the_same_runs_for_the_same_seed():
    # Pinned from the planner before it stopped building the search space.
    spec = {
        "prompts": [{"name": "a"}, {"name": "b"}],
        "models": [{"endpoint": "e", "model": "m1"}, {"endpoint": "e", "model": "m2"}],
        "params": {"temperature": [0.0, 0.5, 1.0], "top_p": [0.9, 1.0]},
        "samples": 2,
        "strategy": {"type": "random", "budget": 6, "seed": 7},
    }
    drawn = [
        (r.config.prompt, r.config.model, r.config.params["temperature"],
         r.config.params["top_p"], r.item_index, r.sample_index)
        for r in plan(spec, 3)
    ]  # fmt: skip
    assert drawn == [
        ("a", "m1", 0.5, 0.9, 0, 0),
        ("a", "m1", 0.5, 1.0, 0, 0),
        ("a", "m2", 0.0, 0.9, 1, 0),
        ("b", "m1", 0.0, 1.0, 2, 0),
        ("b", "m1", 1.0, 0.9, 2, 1),
        ("b", "m2", 1.0, 0.9, 2, 1),
    ]


def _plan_with_little_memory(spec: dict, n_items: int, env: dict) -> dict:
    """Plan in a subprocess whose address space is capped at 2 GB, so a
    planner that builds the whole space fails fast with MemoryError instead
    of exhausting the machine."""
    code = textwrap.dedent(
        """
        import json, sys
        import django
        django.setup()
        from experiments.engine.planner import PlanTooLarge, plan
        spec, n_items = json.loads(sys.stdin.read())
        try:
            runs = list(plan(spec, n_items))
        except PlanTooLarge as exc:
            print(json.dumps({"refused": str(exc)}))
        else:
            print(json.dumps({
                "runs": len(runs),
                "distinct": len({(r.config.hash, r.item_index, r.sample_index)
                                 for r in runs}),
                "configs": [r.config.params for r in runs[:3]],
            }))
        """
    )

    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    done = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps([spec, n_items]),
        cwd=REPO,
        env={**env, "DJANGO_SETTINGS_MODULE": "promptlooper_site.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=cap_memory,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _huge_spec(strategy: dict) -> dict:
    return {
        "prompts": [{"name": "p"}],
        "models": [{"endpoint": "e", "model": "m"}],
        "params": HUGE_PARAMS,
        "samples": 1,
        "strategy": strategy,
    }


def test_random_planning_draws_its_budget_without_building_the_space(test_db_env):
    spec = _huge_spec({"type": "random", "budget": 200, "seed": 1})
    planned = _plan_with_little_memory(spec, 5, test_db_env)
    assert planned["runs"] == planned["distinct"] == 200
    assert set(planned["configs"][0]) == set(HUGE_PARAMS)


def test_grid_planning_builds_only_the_configs_its_budget_uses(test_db_env):
    env = {**test_db_env, "PROMPTLOOPER_MAX_CONFIGS": str(10**21)}
    spec = _huge_spec({"type": "grid", "budget": 7})
    planned = _plan_with_little_memory(spec, 3, env)
    assert planned["runs"] == planned["distinct"] == 7
    assert planned["configs"][0] == {name: 0 for name in HUGE_PARAMS}


def test_the_planner_refuses_a_stored_spec_over_the_limits(test_db_env):
    # Specs accepted before the limits existed fail their sweep with the
    # reason instead of taking the worker's memory.
    planned = _plan_with_little_memory(_huge_spec({"type": "grid"}), 1, test_db_env)
    assert "PROMPTLOOPER_MAX_CONFIGS" in planned["refused"]


@pytest.mark.django_db
def test_a_strategy_override_to_an_oversized_grid_is_refused_by_the_api(
    alice, bob, carol, charlie, project
):
    world = build_world(alice, bob, carol, charlie, project)
    owner = client_as(world, "owner")
    experiment = owner.get(f"/api/experiments/{world.ids['experiment']}/").json()
    spec = {
        **experiment["spec"],
        "name": "wide",
        "params": HUGE_PARAMS,
        "strategy": {"type": "random", "budget": 5},
    }
    created = owner.post("/api/experiments/", spec)
    assert created.status_code == 201, created.json()
    url = f"/api/experiments/{created.json()['id']}/sweeps/"
    refused = owner.post(url, {"strategy": {"type": "grid"}})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["path"] == "strategy"
    assert "PROMPTLOOPER_MAX_CONFIGS" in refused.json()["errors"][0]["message"]
    assert owner.post(url, {"strategy": {"budget": 10}}).status_code == 202
