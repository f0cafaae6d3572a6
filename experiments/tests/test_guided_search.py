"""Guided search (Optuna asks; Thompson sampling, or successive halving for
a Pareto front, gives out items) on a small simulator world with a known
optimum: it finds it within the budget, shows each config as many items as
the search gave it, and says so live."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from experiments.engine.halving import dominates
from experiments.models import Run, SweepEvent
from experiments.services.sweeps import sweep_summary
from experiments.spec.halving import bracket
from experiments.tests.engine_helpers import run
from experiments.tests.guided_world import GOOD_PROMPTS, pick, rungs, world

pytestmark = pytest.mark.django_db(transaction=True)


def items_seen(sweep) -> dict[str, set[int]]:
    seen: dict[str, set[int]] = {}
    for config_hash, item in Run.objects.filter(sweep=sweep).values_list(
        "config_hash", "item_id"
    ):
        seen.setdefault(config_hash, set()).add(item)
    return seen


def test_guided_search_finds_the_optimum_within_its_budget(simulator):
    sweep = run(world(simulator.base_url))  # 60 configs, 9 items; budget 60
    assert sweep.status == "completed"
    assert 0 < sweep.calls <= 60 == sweep.strategy["budget"]
    assert simulator.stats()["requests"] == sweep.calls
    config = pick(sweep)
    assert config["model"] == "sim-extractor" and config["prompt"] in GOOD_PROMPTS
    assert rungs(sweep)[-1]["best"]["values"] == {"score": 1.0}
    assert sweep_summary(sweep)["pick"] == rungs(sweep)[-1]["best"]


def test_steps_give_nested_seeded_items_and_end_on_the_best_shown_every_item(
    simulator,
):
    sweep = run(world(simulator.base_url))
    plan = bracket((1, 3, 9), 3, 1, 60, 60)  # the schedule validation reports
    events = rungs(sweep)
    steps, end = events[:-1], events[-1]
    assert [e["rung"] for e in events] == list(range(len(events)))
    assert len(steps) >= 2 and not any(e["last"] for e in steps)
    seen = items_seen(sweep)
    assert len(seen) == plan.configs[0]  # every config asked saw an item
    for event in steps:  # each step names who gets more items, drops nobody
        assert event["promoted"] and event["dropped"] == []
        assert all(1 < c["items"] <= 9 for c in event["promoted"])
        # Ranked by the posterior mean: the plain mean shrunk toward what the
        # model of the axes predicts, strictly inside (0, 1).
        posterior = [c["ranked_by"]["score"] for c in event["promoted"]]
        plain = [c["values"]["score"] for c in event["promoted"]]
        assert posterior != plain and all(0 < p < 1 for p in posterior)
    # The end: the bracket's best by the posterior, shown every item; every
    # other config dropped with the items it saw.
    assert end["last"] and end["items"] == 9
    assert len(end["promoted"]) == plan.configs[-1]
    assert all(c["items"] == 9 for c in end["promoted"])
    assert {c["id"] for c in end["promoted"] + end["dropped"]} == set(seen)
    assert all(len(seen[c["id"]]) == c["items"] for c in end["dropped"])
    assert all(c["items"] < 9 for c in end["dropped"])
    assert end["spent"] == sweep.calls <= 60
    # The progress bar's total ends at the rows the search made.
    progress = SweepEvent.objects.filter(sweep=sweep, type="sweep.progress")
    assert progress.order_by("-seq").first().payload["planned"] == sweep.runs.count()
    assert sweep.planned == sweep.runs.count() == sweep.done
    # Items come in one seeded order: a config's items are its first n.
    nested = sorted(seen.values(), key=len)
    assert all(a <= b for a, b in itertools.pairwise(nested))
    board = sweep.runs.leaderboard()
    assert sorted(row["n"] for row in board) == sorted(len(s) for s in seen.values())
    # Configs that saw every item rank first, the search's pick on top.
    finalists = len(end["promoted"])
    assert [row["items"] for row in board][:finalists] == [9] * finalists
    assert all(row["items"] < 9 for row in board[finalists:])
    assert board[0]["config_hash"] == end["best"]["id"]


def test_the_same_seed_makes_the_same_search(simulator):
    first = run(world(simulator.base_url), no_cache=True)
    second = run(world(simulator.base_url), no_cache=True)
    assert set(items_seen(first)) == set(items_seen(second))
    other = run(world(simulator.base_url, seed=8), no_cache=True)
    assert set(items_seen(other)) != set(items_seen(first))


def events_best(sweep) -> dict:
    return rungs(sweep)[-1]["best"]


def added_per_step(events: list[dict]) -> list[int]:
    """The items each step gave out, from the items its promoted configs
    have after it (every config starts on one item)."""
    seen: dict[str, int] = {}
    added = []
    for event in events:
        if event["last"]:
            continue
        added.append(sum(c["items"] - seen.get(c["id"], 1) for c in event["promoted"]))
        seen |= {c["id"]: c["items"] for c in event["promoted"]}
    return added


def test_steps_give_out_24_runs_and_the_pick_is_among_all_shown_every_item(
    simulator,
):
    sweep = run(world(simulator.base_url, budget=240))
    plan = bracket((1, 3, 9), 3, 1, 240, 60)
    events = rungs(sweep)
    steps = added_per_step(events)
    # 24 runs a step while the rows allow, fewer once the finalists' need them.
    assert steps[:3] == [24] * 3 and all(0 < n <= 24 for n in steps)
    seen = items_seen(sweep)
    assert sweep.runs.count() <= plan.runs(1) and sweep.calls <= 240
    assert sweep.planned == sweep.runs.count() == sweep.done  # progress ends full
    # Every config shown every item is a candidate for the pick: the
    # bracket's best by the posterior and any the steps took that far.
    end = events[-1]
    full = {h for h, items in seen.items() if len(items) == 9}
    assert {c["id"] for c in end["promoted"]} == full
    assert len(full) >= plan.configs[-1]
    best = max(end["promoted"], key=lambda c: c["values"]["score"])
    assert end["best"]["values"]["score"] == best["values"]["score"]
    assert end["best"]["items"] == 9 == len(seen[end["best"]["id"]])


def test_samples_multiply_a_steps_runs_within_the_brackets_rows(simulator):
    spec = world(simulator.base_url, budget=120)
    spec["samples"] = 2
    sweep = run(spec)
    plan = bracket((1, 3, 9), 3, 2, 120, 60)
    events = rungs(sweep)
    steps = added_per_step(events)
    assert steps[0] == 12 and all(0 < n <= 12 for n in steps)  # 24 runs a step
    assert sweep.runs.count() <= plan.runs(2) and sweep.calls <= 120
    assert sweep.planned == sweep.runs.count() == sweep.done
    assert all(c["items"] == 9 for c in events[-1]["promoted"])
    per_config = Counter(sweep.runs.values_list("config_hash", flat=True))
    seen = items_seen(sweep)
    assert all(per_config[h] == 2 * len(items) for h, items in seen.items())


def test_many_samples_still_give_out_an_item_a_step(simulator):
    spec = world(simulator.base_url, temperatures=(0.0,), budget=600)
    spec["samples"] = 30  # more than a step's runs
    sweep = run(spec)
    steps = added_per_step(rungs(sweep))
    assert steps and set(steps) == {1}
    assert sweep.calls <= 600


def test_halving_options_set_the_first_look_and_the_finalists(simulator):
    sweep = run(world(simulator.base_url, halving={"min_items": 3, "eta": 3}))
    plan = bracket((3, 9), 3, 1, 60, 60)
    seen = items_seen(sweep)
    assert len(seen) == plan.configs[0] and sweep.calls <= 60
    assert min(len(items) for items in seen.values()) == 3
    end = rungs(sweep)[-1]
    assert len(end["promoted"]) == plan.configs[-1]
    assert all(c["items"] == 9 for c in end["promoted"])


def test_two_objectives_promote_by_non_dominated_rank(simulator):
    sweep = run(world(simulator.base_url, objectives=["score", "-cost"], budget=90))
    assert sweep.status == "completed" and sweep.calls <= 90
    # Halving: a config sees a rung's items, no other count.
    rung_sizes = {e["items"] for e in rungs(sweep)}
    assert {len(items) for items in items_seen(sweep).values()} <= rung_sizes
    # The pick was evaluated on every item.
    assert len(items_seen(sweep)[events_best(sweep)["id"]]) == 9
    events = rungs(sweep)
    for event in events:
        for dropped in event["dropped"]:
            assert not any(
                dominates(
                    list(dropped["values"].values()), list(kept["values"].values())
                )
                for kept in event["promoted"]
            )
    assert set(events[-1]["best"]["values"]) == {"score", "-cost"}


def test_a_search_for_the_cheapest_config_alone_ranks_by_cost(simulator):
    sweep = run(world(simulator.base_url, objectives=["-cost"], budget=60))
    assert sweep.status == "completed" and sweep.calls <= 60
    events = rungs(sweep)
    assert set(events[-1]["best"]["values"]) == {"-cost"}
    assert pick(sweep)["model"] == "sim-echo"  # the cheapest model
    assert len(items_seen(sweep)[events[-1]["best"]["id"]]) == 9  # on every item


# 2 temperatures x 4 models: 9 requests per item-showing prompt (2), one for
# the blind prompt (the same request for every item): 8 x 19 unique calls.
SMALL = (0.0, 1.0)  # 24 configs: a grid of 216 runs
SMALL_UNIQUE_CALLS = 152


def test_a_guided_sweep_after_a_grid_of_the_space_makes_no_call(simulator):
    grid = run(world(simulator.base_url, SMALL, type="grid", budget=None))
    assert grid.calls == SMALL_UNIQUE_CALLS
    guided = run(world(simulator.base_url, SMALL, budget=30))
    assert guided.status == "completed" and guided.calls == 0
    assert simulator.stats()["requests"] == SMALL_UNIQUE_CALLS
    # Cache hits cost nothing: the search went on through the whole space.
    assert len(items_seen(guided)) == 24
    assert pick(guided)["model"] == "sim-extractor"


def test_a_grid_after_a_guided_sweep_reuses_every_call_it_made(simulator):
    guided = run(world(simulator.base_url, SMALL, budget=30))
    assert 0 < guided.calls <= 30
    grid = run(world(simulator.base_url, SMALL, type="grid", budget=None))
    assert grid.calls == SMALL_UNIQUE_CALLS - guided.calls
    assert grid.cache_hits >= guided.done
    assert simulator.stats()["requests"] == SMALL_UNIQUE_CALLS


def test_configs_an_earlier_sweep_ran_are_asked_first(simulator):
    earlier = run(world(simulator.base_url, SMALL, budget=30, seed=3))
    known = set(items_seen(earlier))
    later = run(world(simulator.base_url, SMALL, budget=30))
    first = next(e for e in rungs(later) if e["last"])  # the first bracket's end
    asked = {c["id"] for c in first["promoted"] + first["dropped"]}
    assert asked <= known or known <= asked
    # What was known cost nothing: the budget went to configs not tried yet.
    assert len(items_seen(later)) > len(known)
    assert simulator.stats()["requests"] == earlier.calls + later.calls


def pipeline_world(base_url: str) -> dict:
    """extract (2 prompts x 2 models) then normalise (2 models): 8 configs;
    only the extractor shown the passage, then the normaliser, gets all."""
    spec = world(base_url, budget=40)
    for key in ("prompts", "models", "params"):
        del spec[key]
    spec["stages"] = [
        {
            "name": "extract",
            "prompts": [
                {"name": "plain", "template": "Text: {{ passage }}"},
                {"name": "blind", "template": "Extract the names."},
            ],
            "models": [
                {"endpoint": "sim", "model": "sim-extractor"},
                {"endpoint": "sim", "model": "sim-echo"},
            ],
        },
        {
            "name": "normalise",
            "prompts": [{"name": "norm", "template": "{{ stages.extract.output }}"}],
            "models": [
                {"endpoint": "sim", "model": "sim-normaliser"},
                {"endpoint": "sim", "model": "sim-thorough"},  # prose, not JSON
            ],
        },
    ]
    return spec


def test_guided_search_chooses_per_stage_in_a_pipeline(simulator):
    sweep = run(pipeline_world(simulator.base_url))
    assert sweep.status == "completed" and sweep.calls <= 2 * 40
    stages = {s["name"]: s for s in pick(sweep)["stages"]}
    assert (stages["extract"]["model"], stages["extract"]["prompt"]) == (
        "sim-extractor",
        "plain",
    )
    assert stages["normalise"]["model"] == "sim-normaliser"


def test_the_search_space_numbers_configs_as_the_planner_does():
    from experiments.engine.asker import Space
    from experiments.engine.planner import configs
    from experiments.spec import validate_spec

    # A second stage with two prompts and a param: every stage's axes count.
    wider = pipeline_world("http://127.0.0.1:9/v1")
    wider["stages"][1]["prompts"].append({"name": "again", "template": "{{ passage }}"})
    wider["stages"][1]["params"] = {"temperature": [0.0, 0.5, 1.0]}
    for doc in (
        world("http://127.0.0.1:9/v1"),
        pipeline_world("http://127.0.0.1:9/v1"),
        wider,
    ):
        spec = validate_spec(doc).spec
        space = Space(spec)
        every = configs(spec)
        assert space.size == len(every)
        for index, config in enumerate(every):
            assert space.index(space.params(index)) == index
            assert space.config(index) == config
            assert space.index_of(config.as_dict()) == index
            assert type(space.index_of(config.as_dict())) is int
        other = every[0].as_dict()
        choice = other["stages"][0] if "stages" in other else other
        choice["model"] = "other"  # a model the space does not have
        assert space.index_of(other) is None
