"""The simulated models on the demo task: a stable, meaningful leaderboard."""

from __future__ import annotations

import json
import re

import httpx

from simulator.tests.helpers import chat, demo_items, text_of

FIELDS = ("people", "places", "organisations")


def f1(predicted: list, expected: list) -> float:
    got = {str(x).casefold() for x in predicted}
    want = {x.casefold() for x in expected}
    if not got and not want:
        return 1.0
    hits = len(got & want)
    if not hits:
        return 0.0
    precision, recall = hits / len(got), hits / len(want)
    return 2 * precision * recall / (precision + recall)


def entity_f1(output: str, expected: dict) -> float:
    """Mean F1 over the three lists; output that is not a JSON object scores 0."""
    try:
        data = json.loads(output)
    except ValueError:
        return 0.0
    if not isinstance(data, dict):
        return 0.0
    return sum(f1(data.get(k) or [], expected[k]) for k in FIELDS) / len(FIELDS)


def mean_f1(base_url: str, model: str, temperature: float) -> float:
    system = (
        "Extract the people, places and organisations named in the text. Reply "
        'with JSON: {"people": [], "places": [], "organisations": []}.'
    )
    scores = []
    with httpx.Client(base_url=base_url) as client:
        for item in demo_items():
            messages = [
                {"role": "system", "content": system},
                {"role": "user", "content": item["input"]["passage"]},
            ]
            response = client.post(
                "/chat/completions",
                json={"model": model, "messages": messages, "temperature": temperature},
            )
            scores.append(entity_f1(text_of(response), item["expected"]))
    return sum(scores) / len(scores)


# --- Models on the demo task ---------------------------------------------------


def test_models_rank_extractor_then_sloppy_then_echo_on_the_demo_data(simulator):
    extractor = mean_f1(simulator.base_url, "sim-extractor", 0.0)
    sloppy_cold = mean_f1(simulator.base_url, "sim-sloppy", 0.0)
    sloppy_hot = mean_f1(simulator.base_url, "sim-sloppy", 0.7)
    echo = mean_f1(simulator.base_url, "sim-echo", 0.0)

    assert extractor >= 0.8
    assert extractor > sloppy_cold >= sloppy_hot
    assert extractor - sloppy_hot >= 0.15
    assert sloppy_cold > echo + 0.5
    assert echo < 0.1


def test_extractor_reads_the_passage_after_the_last_text_label(simulator):
    prompt = (
        "Extract people, places and organisations from the text as JSON.\n\n"
        "Text: Dr Hana Sato of Westbrook University met engineers in Oslo.\n"
        'JSON: {"people": ["Hana Sato"], "places": ["Oslo"], '
        '"organisations": ["Westbrook University"]}\n\n'
        "Text: Henry Ford founded the Ford Motor Company in Detroit.\n"
        "JSON:"
    )
    answer = json.loads(text_of(chat(simulator.base_url, "sim-extractor", prompt)))

    assert answer == {
        "people": ["Henry Ford"],
        "places": ["Detroit"],
        "organisations": ["Ford Motor Company"],
    }


def judge_score(text: str) -> float:
    return float(re.search(r"\d+(?:\.\d+)?", text).group())


def test_judge_scores_valid_json_output_high_and_anything_else_low(simulator):
    good, bad, shapes = [], [], set()
    for item in demo_items()[:12]:
        passage = item["input"]["passage"]
        output = json.dumps(item["expected"])
        good_text = text_of(
            chat(simulator.base_url, "sim-judge", f"INPUT: {passage}\nOUTPUT: {output}")
        )
        bad_text = text_of(
            chat(simulator.base_url, "sim-judge", f"INPUT: {passage}\nOUTPUT: no idea")
        )
        good.append(judge_score(good_text))
        bad.append(judge_score(bad_text))
        shapes.add(re.sub(r"\d+(?:\.\d+)?", "N", good_text.splitlines()[0])[:12])

    assert all(8 <= score <= 10 for score in good)
    assert all(1 <= score <= 4 for score in bad)
    assert len(shapes) >= 3  # score lines come in several formats
