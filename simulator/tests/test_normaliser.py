"""The second-stage models: ``sim-normaliser`` and ``sim-normaliser-lite``
turn a first stage's entity lists into the demo schema, over real HTTP."""

from __future__ import annotations

import json

import pytest

from simulator.tests.helpers import HTTP, demo_items, text_of
from simulator.tests.test_models import FIELDS, entity_f1

NORMALISE = (
    'Normalise the entities to JSON: {"people": [], "places": [], '
    '"organisations": []}, each list sorted.'
)
EXTRACT = (
    "Extract the people, places and organisations named in the text. Reply "
    'with JSON: {"people": [], "places": [], "organisations": []}.'
)


def call(base_url: str, model: str, system: str, user: str, **params):
    messages = [
        {"role": "system", "content": system},
        {"role": "user", "content": user},
    ]
    body = {"model": model, "messages": messages, **params}
    return HTTP.post(f"{base_url}/chat/completions", json=body)


def normalise(base_url: str, model: str, previous: str, **params) -> str:
    """Stage two: the previous stage's output after an ``Entities:`` label."""
    return text_of(call(base_url, model, NORMALISE, f"Entities:\n{previous}", **params))


def pipeline_f1(base_url: str, stage1: tuple, stage2: tuple) -> float:
    """Mean entity F1 of passage -> stage1 -> stage2 over the demo data."""
    (model1, temp1), (model2, temp2) = stage1, stage2
    scores = []
    for item in demo_items():
        passage = item["input"]["passage"]
        first = text_of(call(base_url, model1, EXTRACT, passage, temperature=temp1))
        second = normalise(base_url, model2, first, temperature=temp2)
        scores.append(entity_f1(second, item["expected"]))
    return sum(scores) / len(scores)


SLOPPY_INPUTS = {
    "chatty wrapper": (
        "Sure! Here is the JSON:\n"
        '{"people":["Ada Lovelace"],"places":["London"],"organisations":[]}\n'
        "Let me know if you need more."
    ),
    "code fence": (
        '```json\n{"people": ["Ada Lovelace"], "places": ["London"], '
        '"organisations": []}\n```'
    ),
    "python-ish json": (
        "{'people': ['ada lovelace',], places: ['london'], 'organisations': [],}"
    ),
    "cut off mid-list": (
        '{"people": ["Ada Lovelace"], "places": ["London"], "organisations": ["Roy'
    ),
    "prose lists": "People: Ada Lovelace\nPlaces: London\nOrganisations: none",
    "markdown bullets": "## People\n- ada lovelace\n\n## Places\n1. London\n",
    "typed list prose": (
        'I found these:\n[{"name": "Ada Lovelace", "type": "PERSON"}, '
        '{"name": "London", "type": "LOC"}'
    ),
}
ADA_IN_LONDON = {"people": ["Ada Lovelace"], "places": ["London"], "organisations": []}


# --- Normalising -----------------------------------------------------------------


@pytest.mark.parametrize("model", ["sim-normaliser", "sim-normaliser-lite"])
def test_valid_json_becomes_sorted_deduplicated_title_cased_lists(simulator, model):
    previous = json.dumps(
        {
            "people": ["charles babbage", "Ada Lovelace", "ada lovelace", " "],
            "places": ["rio de janeiro", "London"],
            "organisations": ["NASA", "university of oslo"],
        }
    )

    answer = json.loads(normalise(simulator.base_url, model, previous, temperature=0))

    assert answer == {
        "people": ["Ada Lovelace", "Charles Babbage"],
        "places": ["London", "Rio de Janeiro"],
        "organisations": ["NASA", "University of Oslo"],
    }


def test_normaliser_reads_the_entities_not_the_schema_example_in_the_prompt(
    simulator,
):
    prompt = (
        'Return {"people": [], "places": [], "organisations": []} for: '
        '{"persons": ["Henry Ford"], "locations": ["Detroit"], '
        '"companies": ["Ford Motor Company"]}'
    )
    response = call(simulator.base_url, "sim-normaliser", "", prompt, temperature=0)

    assert json.loads(text_of(response)) == {
        "people": ["Henry Ford"],
        "places": ["Detroit"],
        "organisations": ["Ford Motor Company"],
    }


@pytest.mark.parametrize("previous", SLOPPY_INPUTS.values(), ids=SLOPPY_INPUTS)
def test_normaliser_recovers_names_from_sloppy_json_and_prose(simulator, previous):
    answer = normalise(simulator.base_url, "sim-normaliser", previous, temperature=0)

    assert json.loads(answer) == ADA_IN_LONDON


def test_normaliser_finds_nothing_in_a_passage_it_was_not_given_lists_for(simulator):
    # Extraction is the first stage's job: an echoed passage names no lists.
    passage = demo_items()[0]["input"]["passage"]
    answer = normalise(simulator.base_url, "sim-normaliser", passage, temperature=0)

    assert json.loads(answer) == {"people": [], "places": [], "organisations": []}


@pytest.mark.parametrize("previous", SLOPPY_INPUTS.values(), ids=SLOPPY_INPUTS)
def test_lite_normaliser_gives_up_on_input_that_is_not_valid_json(simulator, previous):
    answer = normalise(
        simulator.base_url, "sim-normaliser-lite", previous, temperature=0
    )

    with pytest.raises(ValueError):
        json.loads(answer)
    assert "not valid JSON" in answer or "not JSON" in answer


def test_lite_answer_costs_fewer_completion_tokens_than_the_full_one(simulator):
    previous = json.dumps(ADA_IN_LONDON)
    usage = {
        model: call(
            simulator.base_url, model, NORMALISE, previous, temperature=0
        ).json()["usage"]
        for model in ("sim-normaliser", "sim-normaliser-lite")
    }

    full, lite = usage["sim-normaliser"], usage["sim-normaliser-lite"]
    assert full["prompt_tokens"] == lite["prompt_tokens"]
    assert lite["completion_tokens"] < full["completion_tokens"]


# --- Determinism and temperature ---------------------------------------------------


@pytest.mark.parametrize("model", ["sim-normaliser", "sim-normaliser-lite"])
def test_same_request_gets_the_same_answer_and_the_seed_changes_it(simulator, model):
    inputs = [json.dumps(item["expected"]) for item in demo_items()[:15]]

    def answers(seed: int) -> list[str]:
        return [
            normalise(simulator.base_url, model, p, temperature=1.2, seed=seed)
            for p in inputs
        ]

    first = answers(seed=1)
    assert answers(seed=1) == first
    assert answers(seed=2) != first


def mean_normalised_f1(base_url: str, model: str, temperature: float) -> float:
    """Stage two fed the expected lists: all it can lose is its own doing."""
    scores = []
    for item in demo_items():
        previous = json.dumps(item["expected"])
        answer = normalise(base_url, model, previous, temperature=temperature)
        scores.append(entity_f1(answer, item["expected"]))
    return sum(scores) / len(scores)


@pytest.mark.parametrize("model", ["sim-normaliser", "sim-normaliser-lite"])
def test_normaliser_is_exact_when_cold_and_slips_more_the_hotter_it_runs(
    simulator, model
):
    cold = mean_normalised_f1(simulator.base_url, model, 0.0)
    warm = mean_normalised_f1(simulator.base_url, model, 0.7)
    hot = mean_normalised_f1(simulator.base_url, model, 1.5)

    assert cold == 1.0
    assert cold > warm > hot
    assert hot < 0.9


def test_hot_normaliser_files_some_names_under_the_wrong_list(simulator):
    misfiled = 0
    for item in demo_items():
        expected = item["expected"]
        answer = json.loads(
            normalise(
                simulator.base_url,
                "sim-normaliser",
                json.dumps(expected),
                temperature=1.5,
                seed=7,
            )
        )
        for kind in FIELDS:
            others = {n for k in FIELDS if k != kind for n in expected[k]}
            misfiled += len(set(answer[kind]) & others)

    assert misfiled > 0


# --- Two stages ----------------------------------------------------------------


def test_which_first_stage_is_best_depends_on_the_second(simulator):
    url = simulator.base_url
    extractor, sloppy_hot = ("sim-extractor", 0.0), ("sim-sloppy", 0.7)
    full, lite = ("sim-normaliser", 0.0), ("sim-normaliser-lite", 0.0)

    gap_with_full = pipeline_f1(url, extractor, full) - pipeline_f1(
        url, sloppy_hot, full
    )
    gap_with_lite = pipeline_f1(url, extractor, lite) - pipeline_f1(
        url, sloppy_hot, lite
    )

    # A clean first stage loses nothing with the cheap second stage; a
    # chatty one (fences, "Sure! Here is the JSON:") needs the full one.
    assert pipeline_f1(url, extractor, lite) == pipeline_f1(url, extractor, full)
    assert gap_with_lite > gap_with_full + 0.1
