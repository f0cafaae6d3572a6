"""The LLM simulator over real HTTP: an OpenAI-compatible server, not a model."""

from __future__ import annotations

import asyncio
import json
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
PASSAGES = ROOT / "examples" / "data" / "passages.jsonl"
FIELDS = ("people", "places", "organisations")


# One pooled client for the module: a fresh httpx.post() per call would spend
# most of the test time building TLS contexts and connections.
HTTP = httpx.Client(timeout=10)


def chat(base_url: str, model: str, content: str, **params) -> httpx.Response:
    body = {"model": model, "messages": [{"role": "user", "content": content}]}
    return HTTP.post(f"{base_url}/chat/completions", json={**body, **params})


def text_of(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return response.json()["choices"][0]["message"]["content"]


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


def demo_items() -> list[dict]:
    return [json.loads(line) for line in PASSAGES.read_text().splitlines()]


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


# --- Protocol ----------------------------------------------------------------


def test_models_endpoint_lists_the_simulated_models(simulator):
    response = HTTP.get(f"{simulator.base_url}/models")

    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "list"
    names = {model["id"] for model in body["data"]}
    assert names == {"sim-extractor", "sim-sloppy", "sim-echo", "sim-judge"}
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


# --- Faults --------------------------------------------------------------------


def test_rate_limit_fault_is_429_with_retry_after(make_simulator):
    sim = make_simulator(rate429=1.0, retry_after=2)

    response = chat(sim.base_url, "sim-echo", "hi")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"
    assert response.json()["error"]["code"] == "rate_limit_exceeded"


def test_fail_rate_fault_is_a_server_error(make_simulator):
    sim = make_simulator(fail_rate=1.0)

    response = chat(sim.base_url, "sim-echo", "hi")

    assert response.status_code == 500
    assert response.json()["error"]["type"] == "server_error"


def test_malformed_fault_is_200_with_a_body_that_is_not_json(make_simulator):
    sim = make_simulator(malformed_rate=1.0)

    response = chat(sim.base_url, "sim-echo", "hi")

    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()


def test_timeout_fault_hangs_until_the_client_gives_up(make_simulator):
    sim = make_simulator(timeout_rate=1.0)

    with pytest.raises(httpx.ReadTimeout):
        HTTP.post(
            f"{sim.base_url}/chat/completions",
            json={"model": "sim-echo", "messages": [{"role": "user", "content": "x"}]},
            timeout=0.3,
        )
    assert sim.stats()["faults"]["timeout"] == 1


def test_timeout_fault_answers_normally_after_timeout_s(make_simulator):
    sim = make_simulator(timeout_rate=1.0, timeout_s=0.2)

    started = time.monotonic()
    response = chat(sim.base_url, "sim-echo", "late")

    assert text_of(response) == "late"
    assert time.monotonic() - started >= 0.2


def test_faults_follow_the_seed(make_simulator):
    def statuses(sim) -> list[int]:
        return [chat(sim.base_url, "sim-echo", "hi").status_code for _ in range(30)]

    first = statuses(make_simulator(fail_rate=0.5, seed=11))
    second = statuses(make_simulator(fail_rate=0.5, seed=11))
    other = statuses(make_simulator(fail_rate=0.5, seed=12))

    assert first == second
    assert first != other
    assert set(first) == {200, 500}


# --- Stats, config, latency ------------------------------------------------------


def test_stats_count_requests_completions_and_faults(simulator):
    chat(simulator.base_url, "sim-echo", "one")
    chat(simulator.base_url, "sim-extractor", "Ada Lovelace in London")
    chat(simulator.base_url, "nope", "404s count as requests")
    simulator.configure(rate429=1.0)
    chat(simulator.base_url, "sim-echo", "limited")

    stats = simulator.stats()

    assert stats["requests"] == 4
    assert stats["completions"] == 2
    assert stats["by_model"] == {"sim-echo": 2, "sim-extractor": 1}
    assert stats["faults"] == {"429": 1, "500": 0, "timeout": 0, "malformed": 0}
    assert stats["in_flight"] == 0
    assert stats["max_in_flight"] == 1


def test_stats_reset_zeroes_the_counters(simulator):
    chat(simulator.base_url, "sim-echo", "one")

    simulator.reset()

    stats = simulator.stats()
    assert stats["requests"] == stats["completions"] == stats["max_in_flight"] == 0
    assert stats["by_model"] == {}


def test_config_changes_apply_to_the_next_request(simulator):
    assert chat(simulator.base_url, "sim-echo", "hi").status_code == 200

    simulator.configure(fail_rate=1.0)
    assert chat(simulator.base_url, "sim-echo", "hi").status_code == 500

    simulator.configure(fail_rate=0.0)
    assert chat(simulator.base_url, "sim-echo", "hi").status_code == 200
    assert HTTP.get(f"{simulator.url}/config").json()["fail_rate"] == 0.0


@pytest.mark.parametrize(
    "changes", [{"fail_rate": 1.5}, {"latency_ms": -1}, {"api_key": "x"}]
)
def test_invalid_config_changes_are_refused(simulator, changes):
    response = HTTP.post(f"{simulator.url}/config", json=changes)

    assert response.status_code == 400
    assert HTTP.get(f"{simulator.url}/config").json()["fail_rate"] == 0.0


def test_latency_delays_each_completion(make_simulator):
    sim = make_simulator(latency_ms=150, jitter_ms=0)

    started = time.monotonic()
    text_of(chat(sim.base_url, "sim-echo", "slow"))

    assert time.monotonic() - started >= 0.15


def test_latency_does_not_block_concurrent_requests(make_simulator):
    sim = make_simulator(latency_ms=300, jitter_ms=0)

    async def burst() -> list[int]:
        async with httpx.AsyncClient(base_url=sim.base_url) as client:
            body = {"model": "sim-echo", "messages": [{"role": "user", "content": "x"}]}
            responses = await asyncio.gather(
                *(client.post("/chat/completions", json=body) for _ in range(8))
            )
        return [r.status_code for r in responses]

    assert asyncio.run(burst()) == [200] * 8
    assert sim.stats()["max_in_flight"] == 8


# --- Management command ------------------------------------------------------------


@pytest.mark.slow
def test_simulate_llm_command_serves_the_api():
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "simulate_llm",
            "--port",
            "0",
            "--latency-ms",
            "0",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 30)
        assert ready, "no banner within 30 s"
        banner = process.stdout.readline()
        assert "not a model" in banner
        base_url = re.search(r"(http://\S+/v1)", banner).group(1)

        deadline = time.monotonic() + 30
        while True:
            try:
                response = HTTP.get(f"{base_url}/models", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server never answered"
                time.sleep(0.1)
        assert response.status_code == 200
        assert "sim-extractor" in {m["id"] for m in response.json()["data"]}
    finally:
        process.terminate()
        process.wait(timeout=10)
