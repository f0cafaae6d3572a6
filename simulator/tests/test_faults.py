"""Injected faults, latency, live config and the counters of ``GET /stats``."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from simulator.tests.helpers import HTTP, chat, text_of

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


# --- Per-model latency, context length, validation 500s ----------------------------


def test_simulator_config_sets_model_latency_context_and_validation_500(simulator):
    live = simulator.configure(
        model_latency_ms={"sim-judge": 150}, context_chars=100, validation_500=True
    )
    assert live["model_latency_ms"] == {"sim-judge": 150.0}
    assert (live["context_chars"], live["validation_500"]) == (100.0, True)

    too_long = chat(simulator.base_url, "sim-echo", "z" * 101)
    invalid = chat(simulator.base_url, "sim-echo", "hi", temperature=9)

    assert too_long.status_code == 400
    assert too_long.json()["error"]["code"] == "context_length_exceeded"
    assert invalid.status_code == 500
    assert invalid.json()["error"]["type"] == "internal_server_error"
    assert simulator.stats()["rejected"] == {"context": 1, "invalid": 1}


@pytest.mark.parametrize(
    "changes",
    [
        {"model_latency_ms": {"sim-judge": -1}},
        {"model_latency_ms": [150]},
        {"validation_500": 1},
        {"context_chars": "long"},
    ],
)
def test_simulator_refuses_invalid_option_values(simulator, changes):
    response = HTTP.post(f"{simulator.url}/config", json=changes)
    assert response.status_code == 400
    assert simulator.configure()["model_latency_ms"] == {}


def test_model_latency_slows_only_that_model(make_simulator):
    sim = make_simulator(model_latency_ms={"sim-judge": 300})

    async def first_done() -> str:
        async def call(model: str) -> str:
            body = {"model": model, "messages": [{"role": "user", "content": "x"}]}
            async with httpx.AsyncClient(base_url=sim.base_url) as client:
                response = await client.post("/chat/completions", json=body)
            assert response.status_code == 200
            return model

        done, _ = await asyncio.wait(
            [asyncio.ensure_future(call(m)) for m in ("sim-judge", "sim-echo")],
            return_when=asyncio.FIRST_COMPLETED,
        )
        return done.pop().result()

    assert asyncio.run(first_done()) == "sim-echo"
