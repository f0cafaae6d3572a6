"""The LLM simulator over real HTTP: an OpenAI-compatible server, not a model.
The wire protocol and its errors."""

from __future__ import annotations

import pytest

from simulator.tests.helpers import HTTP, chat, demo_items, text_of

# --- Protocol ----------------------------------------------------------------


def test_models_endpoint_lists_the_simulated_models(simulator):
    response = HTTP.get(f"{simulator.base_url}/models")

    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "list"
    names = {model["id"] for model in body["data"]}
    assert names == {
        "sim-extractor",
        "sim-sloppy",
        "sim-thorough",
        "sim-echo",
        "sim-judge",
        "sim-normaliser",
        "sim-normaliser-lite",
        *(f"world-m{i}" for i in range(5)),
    }
    assert {m["owned_by"] for m in body["data"]} == {"promptlooper-simulator"}


def test_completion_has_the_openai_shape_and_usage(simulator):
    content = "Ada Lovelace wrote to Charles Babbage from London."
    response = chat(simulator.base_url, "sim-echo", content)

    body = response.json()
    assert body["id"].startswith("simcmpl-")
    assert body["object"] == "chat.completion"
    assert body["model"] == "sim-echo"
    assert isinstance(body["created"], int)
    [choice] = body["choices"]
    assert choice["message"] == {"role": "assistant", "content": content}
    assert choice["finish_reason"] == "stop"
    tokens = -(-len(content) // 4)
    assert body["usage"] == {
        "prompt_tokens": tokens,
        "completion_tokens": tokens,
        "total_tokens": 2 * tokens,
    }


def test_same_request_always_gets_the_same_answer(simulator):
    passage = demo_items()[3]["input"]["passage"]
    for model in ("sim-extractor", "sim-sloppy", "sim-judge"):
        first = chat(simulator.base_url, model, passage, temperature=0.7, seed=3)
        again = chat(simulator.base_url, model, passage, temperature=0.7, seed=3)

        assert text_of(first) == text_of(again)
        assert first.json()["id"] == again.json()["id"]


def test_sloppy_answer_depends_on_temperature_and_seed(simulator):
    passages = [item["input"]["passage"] for item in demo_items()[:10]]

    def answers(**params) -> list[str]:
        return [
            text_of(chat(simulator.base_url, "sim-sloppy", p, **params))
            for p in passages
        ]

    assert answers(temperature=0.0) != answers(temperature=0.7)
    assert answers(temperature=0.7, seed=1) != answers(temperature=0.7, seed=2)


def test_echo_returns_the_last_user_message(simulator):
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": "second"},
    ]
    response = HTTP.post(
        f"{simulator.base_url}/chat/completions",
        json={"model": "sim-echo", "messages": messages},
    )

    assert text_of(response) == "second"


def test_max_tokens_truncates_the_answer_with_finish_reason_length(simulator):
    response = chat(simulator.base_url, "sim-echo", "word " * 100, max_tokens=5)

    body = response.json()
    assert body["choices"][0]["finish_reason"] == "length"
    assert len(body["choices"][0]["message"]["content"]) <= 20
    assert body["usage"]["completion_tokens"] == 5


def test_max_tokens_above_the_answer_length_changes_nothing(simulator):
    response = chat(simulator.base_url, "sim-echo", "short", max_tokens=256)

    assert response.json()["choices"][0]["finish_reason"] == "stop"
    assert text_of(response) == "short"


# --- Errors --------------------------------------------------------------------


def test_unknown_model_is_404_model_not_found(simulator):
    response = chat(simulator.base_url, "gpt-17", "hello")

    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "model_not_found"
    assert error["type"] == "invalid_request_error"
    assert error["message"] == "The model 'gpt-17' does not exist"


def test_api_key_is_required_when_configured(make_simulator):
    sim = make_simulator(api_key="sk-sim")
    url = f"{sim.base_url}/models"

    missing = HTTP.get(url)
    wrong = HTTP.get(url, headers={"Authorization": "Bearer nope"})
    right = HTTP.get(url, headers={"Authorization": "Bearer sk-sim"})

    assert missing.status_code == wrong.status_code == 401
    assert missing.json()["error"]["code"] == "invalid_api_key"
    assert missing.json()["error"]["message"] == "Incorrect API key provided"
    assert right.status_code == 200


def test_invalid_json_body_is_400(simulator):
    response = HTTP.post(
        f"{simulator.base_url}/chat/completions",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"messages": [{"role": "user", "content": "hi"}]}, "model"),
        ({"model": "sim-echo"}, "messages"),
        ({"model": "sim-echo", "messages": []}, "messages"),
        (
            {"model": "sim-echo", "messages": [{"role": "user"}], "temperature": 5},
            "temperature",
        ),
    ],
)
def test_missing_or_invalid_fields_are_400_naming_the_param(simulator, body, param):
    response = HTTP.post(f"{simulator.base_url}/chat/completions", json=body)

    assert response.status_code == 400
    assert response.json()["error"]["param"] == param
