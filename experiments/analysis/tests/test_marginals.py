"""Marginals and heatmaps on a hand-made 2 prompts x 2 models sweep whose
means and variance shares are worked out below."""

from __future__ import annotations

import pytest

from experiments.analysis.data import AnalysisParameterError
from experiments.analysis.tests.handmade import config, hand_made

pytestmark = pytest.mark.django_db

# (prompt, model): scores on items 0 and 1. Overall mean 0.6; total sum of
# squares 0.48. Prompt means p 0.5, q 0.7: between 4*0.01*2 = 0.08, 1/6.
# Model means m1 0.8, m2 0.4: between 4*0.04*2 = 0.32, 2/3.
SCORES = {
    ("q", "m2"): [0.6, 0.4],
    ("p", "m1"): [0.8, 0.6],
    ("q", "m1"): [1.0, 0.8],
    ("p", "m2"): [0.4, 0.2],
}


@pytest.fixture
def sweep(project):
    made = hand_made(n_items=2)
    for (prompt, model), scores in SCORES.items():
        made.add(config(prompt, model, temperature=0.0), scores)
    return made.sweep


def test_each_varied_axis_has_its_means_and_the_share_it_explains(sweep):
    axes = sweep.runs.marginals()["axes"]
    # The axis that explains most first; temperature has one value: absent.
    assert [a["axis"] for a in axes] == ["model", "prompt"]
    model, prompt = axes
    assert model["variance_explained"] == pytest.approx(2 / 3, abs=1e-4)
    assert prompt["variance_explained"] == pytest.approx(1 / 6, abs=1e-4)
    values = [(v["value"], v["mean"], v["n"], v["configs"]) for v in prompt["values"]]
    assert values == [("p", 0.5, 4, 2), ("q", 0.7, 4, 2)]
    assert [(v["value"], v["mean"]) for v in model["values"]] == [
        ("local/m1", 0.8), ("local/m2", 0.4)]  # fmt: skip
    # Resampling the 2 items: prompt p's mean is 0.6 (item 0 twice), 0.5 or
    # 0.4 (item 1 twice), so its interval spans exactly those extremes.
    assert prompt["values"][0]["ci95"] == pytest.approx([0.4, 0.6])


def test_the_heatmap_is_prompt_by_model_by_default(sweep):
    heat = sweep.runs.heatmap()
    assert (heat["x"], heat["y"]) == ("prompt", "model")
    assert heat["x_values"] == ["p", "q"]
    assert heat["y_values"] == ["local/m1", "local/m2"]
    cells = {(c["x"], c["y"]): (c["mean"], c["n"]) for c in heat["cells"]}
    assert cells == {
        ("p", "local/m1"): (0.7, 2), ("p", "local/m2"): (0.3, 2),
        ("q", "local/m1"): (0.9, 2), ("q", "local/m2"): (0.5, 2)}  # fmt: skip


def test_the_heatmap_takes_any_two_axes(sweep):
    heat = sweep.runs.heatmap(x="temperature", y="prompt")
    assert heat["x_values"] == [0.0]
    cells = {(c["x"], c["y"]): c["mean"] for c in heat["cells"]}
    assert cells == {(0.0, "p"): 0.5, (0.0, "q"): 0.7}


def test_an_unknown_axis_or_the_same_axis_twice_names_the_parameter(sweep):
    with pytest.raises(AnalysisParameterError) as unknown:
        sweep.runs.heatmap(x="colour")
    assert unknown.value.param == "x" and "temperature" in unknown.value.message
    with pytest.raises(AnalysisParameterError) as same:
        sweep.runs.heatmap(x="model", y="model")
    assert same.value.param == "y"


def test_a_pipelines_axes_are_named_per_stage(project):
    made = hand_made(n_items=1)
    for extract, score in (("short", 0.2), ("long", 0.6)):
        for model, bonus in (("m1", 0.0), ("m2", 0.2)):
            stages = [("extract", extract, model, {}), ("tidy", "tidy", "m1", {})]
            made.add(config(stages=stages), [score + bonus])
    axes = {a["axis"]: a for a in made.sweep.runs.marginals()["axes"]}
    assert set(axes) == {"extract.prompt", "extract.model"}  # tidy: one choice
    means = {v["value"]: v["mean"] for v in axes["extract.prompt"]["values"]}
    assert means == {"long": 0.7, "short": 0.3}
    heat = made.sweep.runs.heatmap()
    assert (heat["x"], heat["y"]) == ("extract.prompt", "extract.model")
