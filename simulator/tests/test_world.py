"""The benchmark world: configs with a known quality that the answers bear
out, and a best config that tuning axis by axis does not find."""

from __future__ import annotations

import httpx

from simulator import world
from simulator.tests.helpers import chat, text_of


def questions(n: int) -> list[tuple[str, str]]:
    return [(f"What is {i} + {3 * i + 7}?", str(4 * i + 7)) for i in range(n)]


def accuracy(base_url: str, model: str, variant: int, temperature: float,
             n: int, seed: int = 0) -> float:  # fmt: skip
    right = 0
    with httpx.Client(base_url=base_url) as client:
        for question, answer in questions(n):
            messages = [{"role": "user", "content": f"Variant {variant}. {question}"}]
            body = {"model": model, "messages": messages,
                    "temperature": temperature, "seed": seed}  # fmt: skip
            response = client.post("/chat/completions", json=body)
            right += text_of(response) == answer
    return right / n


def test_every_config_has_a_quality_between_0_and_1():
    qualities = [world.quality(*config) for config in world.space()]

    assert len(qualities) == 5 * 6 * 4
    assert all(0 < q < 1 for q in qualities)
    assert len(set(qualities)) > 50  # a landscape, not a few plateaus


def test_the_best_config_is_not_the_best_value_of_each_axis_put_together():
    best, q_best = world.best()
    per_axis = world.marginal_best()

    assert best == ("world-m1", 4, 0.8)
    assert per_axis == ("world-m2", 2, 0.4)
    assert q_best - world.quality(*per_axis) > 0.03
    # The best is alone at the top: a pick's regret says how far off it was.
    runner_up = max(world.quality(*c) for c in world.space() if c != best)
    assert q_best - runner_up > 0.01


def test_the_best_model_and_prompt_on_average_are_not_the_best_configs():
    configs = world.space()
    best_model, best_variant, _ = world.best()[0]
    model_means = {
        m: sum(world.quality(*c) for c in configs if c[0] == m) / 24
        for m in world.MODELS
    }

    assert max(model_means, key=model_means.get) != best_model
    assert world.marginal_best()[1] != best_variant


def test_answers_are_right_about_as_often_as_the_quality_says(simulator):
    for config in [("world-m1", 4, 0.8), ("world-m4", 5, 1.2)]:
        measured = accuracy(simulator.base_url, *config, n=400)

        assert abs(measured - world.quality(*config)) < 0.06, config


def test_the_same_request_gets_the_same_answer(simulator):
    content = "Variant 2. What is 12 + 30?"
    params = {"temperature": 1.2, "seed": 4}

    answers = {
        text_of(chat(simulator.base_url, "world-m4", content, **params))
        for _ in range(5)
    }

    assert len(answers) == 1


def test_another_seed_draws_other_noise(simulator):
    def right(seed: int) -> list[bool]:
        return [
            text_of(chat(simulator.base_url, "world-m3", f"variant 1. {question}",
                         temperature=0.8, seed=seed)) == answer
            for question, answer in questions(60)
        ]  # fmt: skip

    assert right(1) != right(2)


def test_a_wrong_answer_is_another_number(simulator):
    answers = [
        text_of(chat(simulator.base_url, "world-m4", q, temperature=2.0))
        for q, _ in questions(30)
    ]
    expected = [answer for _, answer in questions(30)]
    wrong = [got for got, want in zip(answers, expected, strict=True) if got != want]

    assert wrong, "world-m4 at temperature 2 should miss some"
    assert all(got.lstrip("-").isdigit() for got in wrong)


def test_the_variant_is_read_from_any_message_and_defaults_to_0():
    assert world.variant_of("You are helpful. Prompt variant 5.") == 5
    assert world.variant_of("VARIANT 3: what is 1 + 2?") == 3
    assert world.variant_of("What is 1 + 2?") == 0
    assert world.variant_of("variant 9") == 0


def test_a_prompt_without_a_sum_gets_no_number(simulator):
    reply = text_of(chat(simulator.base_url, "world-m2", "Tell me a story."))

    assert reply == "I can only add two numbers."
