"""``sim-thorough``: a first stage that finds more names than
``sim-extractor`` but answers with a prose list, so which first stage is best
depends on the second stage that reads it. Over real HTTP."""

from __future__ import annotations

import json

import pytest

from simulator.sim_models import _LITE_REFUSALS
from simulator.tests.helpers import demo_items, text_of
from simulator.tests.test_models import FIELDS
from simulator.tests.test_normaliser import EXTRACT, call, normalise, pipeline_f1


def extract(base_url: str, model: str, passage: str, temperature: float) -> str:
    return text_of(call(base_url, model, EXTRACT, passage, temperature=temperature))


def found_after_normaliser(base_url: str, model: str, passage: str) -> dict:
    first = extract(base_url, model, passage, 0.0)
    return json.loads(normalise(base_url, "sim-normaliser", first, temperature=0))


def expected_names_found(base_url: str, model: str) -> int:
    """How many expected names (in the right list) the model finds over the
    demo passages, read back by the robust normaliser."""
    hits = 0
    for item in demo_items():
        found = found_after_normaliser(base_url, model, item["input"]["passage"])
        for kind in FIELDS:
            got = {name.casefold() for name in found[kind]}
            hits += sum(name.casefold() in got for name in item["expected"][kind])
    return hits


def test_thorough_finds_more_expected_names_than_the_extractor(simulator):
    thorough = expected_names_found(simulator.base_url, "sim-thorough")
    extractor = expected_names_found(simulator.base_url, "sim-extractor")

    assert thorough > extractor


@pytest.mark.parametrize("temperature", [0.0, 0.7])
def test_thorough_never_answers_valid_json(simulator, temperature):
    for item in demo_items():
        answer = extract(
            simulator.base_url, "sim-thorough", item["input"]["passage"], temperature
        )
        with pytest.raises(ValueError):
            json.loads(answer)


def test_thorough_answers_the_same_to_the_same_request(simulator):
    passage = demo_items()[0]["input"]["passage"]
    answers = {
        extract(simulator.base_url, "sim-thorough", passage, 0.7) for _ in range(3)
    }
    assert len(answers) == 1


def test_thorough_drops_a_job_title_and_keeps_a_known_name_opening_a_sentence(
    simulator,
):
    items = [
        item
        for item in demo_items()
        if item["input"]["passage"].startswith(("Striker Lena", "Cleopatra"))
    ]
    assert len(items) == 2
    for item in items:
        found = found_after_normaliser(
            simulator.base_url, "sim-thorough", item["input"]["passage"]
        )
        assert set(found["people"]) == set(item["expected"]["people"])


def test_normaliser_turns_the_thorough_prose_into_the_expected_json(simulator):
    item = demo_items()[0]  # Ada Lovelace, Charles Babbage, London
    first = extract(simulator.base_url, "sim-thorough", item["input"]["passage"], 0)

    answer = normalise(simulator.base_url, "sim-normaliser", first, temperature=0)

    assert json.loads(answer) == {
        kind: sorted(item["expected"][kind]) for kind in FIELDS
    }


def test_lite_normaliser_refuses_the_thorough_prose(simulator):
    for item in demo_items()[:10]:
        first = extract(
            simulator.base_url, "sim-thorough", item["input"]["passage"], 0.0
        )
        answer = normalise(simulator.base_url, "sim-normaliser-lite", first)
        assert answer in _LITE_REFUSALS


def test_best_first_stage_depends_on_the_second_stage(simulator):
    base = simulator.base_url
    thorough, extractor = ("sim-thorough", 0.0), ("sim-extractor", 0.0)
    robust, lite = ("sim-normaliser", 0.0), ("sim-normaliser-lite", 0.0)

    assert pipeline_f1(base, thorough, robust) > pipeline_f1(base, extractor, robust)
    assert pipeline_f1(base, thorough, lite) < pipeline_f1(base, extractor, lite)
