"""Successive halving's schedule (``experiments.spec.halving``): the items
each rung shows, the configs a bracket starts with for a budget, and what it
costs. Pure arithmetic: validation reports it, the engine runs it."""

from __future__ import annotations

from experiments.spec.halving import (
    Bracket,
    bracket,
    default_min_items,
    first_bracket,
    halving_of,
    rung_items,
)


def test_a_bracket_costs_each_rungs_new_items_only():
    plan = Bracket(items=(2, 6, 18), configs=(9, 3, 1))
    # 9 configs x 2 items, then 3 x 4 more, then 1 x 12 more.
    assert plan.runs(1) == 18 + 12 + 12
    assert plan.runs(2) == 2 * 42  # every run once per sample
    assert plan.runs(1, from_rung=1) == 12 + 12  # what is left after rung 0
    assert plan.runs(1, from_rung=2) == 12
    assert plan.runs(1, from_rung=3) == 0


def test_the_default_first_rung_allows_a_halving_per_power_of_eta():
    # 40 items, 120 configs, eta 3: 27 <= 40 (three halvings), so 40/27 -> 2.
    assert default_min_items(40, 120, 3) == 2
    assert default_min_items(9, 60, 3) == 1  # 9 <= 9: two halvings
    assert default_min_items(8, 60, 3) == 3  # 9 > 8: one halving, 8/3 -> 3
    assert default_min_items(40, 5, 3) == 14  # few configs: one halving
    assert default_min_items(40, 2, 3) == 40  # no halving: every item at once
    assert default_min_items(1, 50, 3) == 1


def test_rungs_grow_by_eta_up_to_every_item():
    assert rung_items(40, 2, 3) == (2, 6, 18, 40)
    assert rung_items(5, 0, 2) == (1, 2, 4, 5)  # at least one item
    assert rung_items(5, 9, 2) == (5,)  # at most every item
    assert rung_items(16, 2, 2) == (2, 4, 8, 16)  # no repeat of the last


def test_the_strategys_halving_options_override_the_defaults():
    # The score alone (Thompson sampling): every config starts on one item.
    assert halving_of({}, 40, 120) == (1, 3)
    assert halving_of({"objectives": ["score"]}, 40, 120) == (1, 3)
    assert halving_of({"halving": {"eta": 2}}, 40, 120) == (1, 2)
    # Halving (two objectives, or cost): as many rungs as the counts allow.
    pareto = {"objectives": ["score", "-cost"]}
    assert halving_of(pareto, 40, 120) == (2, 3)
    assert halving_of({**pareto, "halving": {"eta": 2}}, 40, 120) == (2, 2)  # 32<=40
    assert halving_of({"objectives": ["-cost"]}, 40, 120) == (2, 3)
    assert halving_of({"halving": {"min_items": 5}}, 40, 120) == (5, 3)
    assert halving_of({"halving": {"min_items": 50, "eta": 4}}, 40, 120) == (40, 4)


def test_a_bracket_fits_the_most_configs_its_budget_allows():
    items = (1, 3, 9)
    # n configs by thirds cost n + 2*(n//3) + 6*(n//9) runs.
    assert bracket(items, 3, 1, 60, 60).configs == (26, 8, 2)
    assert bracket(items, 3, 1, 62, 60).configs == (26, 8, 2)  # 27 needs 63
    assert bracket(items, 3, 1, 63, 60).configs == (27, 9, 3)
    assert bracket(items, 3, 1, 9, 60).configs == (1, 1, 1)  # 1 + 2 + 6
    assert bracket(items, 3, 1, 8, 60) is None
    assert bracket(items, 3, 1, 600, 0) is None  # nothing left to ask
    assert bracket(items, 3, 2, 18, 60).configs == (1, 1, 1)  # two samples
    assert bracket(items, 3, 2, 17, 60) is None


def test_the_first_bracket_spends_the_strategys_budget():
    assert first_bracket({"budget": 60}, 9, 1, 60) == bracket((1, 3, 9), 3, 1, 60, 60)
    assert first_bracket({"budget": 8}, 9, 1, 60) is None


def test_one_config_left_still_gets_a_bracket_of_its_own():
    assert bracket((1, 3, 9), 3, 1, 600, 1).configs == (1, 1, 1)
    assert bracket((1, 3, 9), 3, 1, 9, 1).configs == (1, 1, 1)  # exactly its runs


def thirds(items: tuple[int, ...], n: int) -> Bracket:
    """n configs, a third of them kept at each rung (eta 3)."""
    return Bracket(items, tuple(max(1, int(n / 3**r)) for r in range(len(items))))


def test_every_budget_gets_the_most_configs_that_fit_and_never_overspends():
    items, most = (2, 6, 18, 40), 120
    previous = 0
    for budget in range(40, 5000, 37):
        plan = bracket(items, 3, 1, budget, most)
        assert plan is not None and plan.runs(1) <= budget, budget
        assert previous <= plan.configs[0] <= most
        previous = plan.configs[0]
        if plan.configs[0] < most:  # the largest n whose thirds fit
            fits = [n for n in range(1, most + 1) if thirds(items, n).runs(1) <= budget]
            assert plan == thirds(items, max(fits)), budget
    # Once all 120 fit (644 runs at thirds), a spare keeps more of them at
    # each rung, the same ratio between rungs, down to the whole grid.
    assert bracket(items, 3, 1, 644, most).configs == (120, 40, 13, 4)
    assert bracket(items, 3, 1, 718, most).configs == (120, 44, 16, 5)
    assert bracket(items, 3, 1, 1_000, most).configs == (120, 54, 25, 11)
    assert bracket(items, 3, 1, 2_000, most).runs(1) == 2_000
    assert bracket(items, 3, 1, 120 * 40, most).configs == (120, 120, 120, 120)
