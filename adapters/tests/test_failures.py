"""How the adapter classifies failures, and the endpoint circuit breaker."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from adapters.base import AdapterError, EndpointConfig
from adapters.circuit import CircuitBreaker
from adapters.openai import OpenAIAdapter, _status_error


async def complete(base_url: str, content: str = "hi", **params):
    async with httpx.AsyncClient() as client:
        adapter = OpenAIAdapter(EndpointConfig(name="sim", base_url=base_url), client)
        messages = [{"role": "user", "content": content}]
        return await adapter.complete(messages, params.pop("model", "sim-echo"), params)


def failure(base_url: str, content: str = "hi", **params) -> AdapterError:
    with pytest.raises(AdapterError) as caught:
        asyncio.run(complete(base_url, content, **params))
    return caught.value


# --- Classification ------------------------------------------------------------


def test_a_prompt_over_the_context_length_concerns_that_request_only(
    make_simulator,
):
    sim = make_simulator(context_chars=10)
    exc = failure(sim.base_url, "a prompt well over ten characters")
    assert (exc.kind, exc.retryable, exc.systemic) == ("http_400", False, False)
    assert "maximum context length is 3 tokens" in exc.message
    assert asyncio.run(complete(sim.base_url, "short")).text


def test_an_unknown_model_and_a_refused_key_are_systemic(make_simulator):
    sim = make_simulator(api_key="k")
    assert failure(sim.base_url).systemic  # 401
    open_sim = make_simulator()
    exc = failure(open_sim.base_url, model="nope")
    assert (exc.kind, exc.systemic) == ("http_404", True)


def test_llama_cpp_python_validation_500_is_permanent(make_simulator):
    sim = make_simulator(validation_500=True)
    exc = failure(sim.base_url, temperature=5)
    assert (exc.kind, exc.retryable, exc.systemic) == ("http_500", False, False)
    assert "validation error" in exc.message and "not retried" in exc.message


@pytest.mark.parametrize(
    "body",
    [
        # llama.cpp's server on a parameter of the wrong type
        {
            "error": {
                "code": 500,
                "message": "[json.exception.type_error.302] "
                "type must be number, but is string",
                "type": "server_error",
            }
        },
        # pydantic v1 wording (older llama-cpp-python)
        {
            "error": {
                "message": "1 validation error for Request\nbody -> top_p\n"
                "  ensure this value is less than or equal to 1",
                "type": "internal_server_error",
            }
        },
        {"error": {"message": "bad value", "type": "invalid_request_error"}},
    ],
)
def test_other_invalid_request_500s_are_permanent(body):
    exc = _status_error(httpx.Response(500, json=body))
    assert not exc.retryable


def test_a_plain_500_is_retried(make_simulator):
    sim = make_simulator(fail_rate=1.0)
    exc = failure(sim.base_url)
    assert (exc.kind, exc.retryable) == ("http_500", True)


def test_a_closed_port_is_a_connection_failure():
    exc = failure("http://127.0.0.1:9/v1")
    assert (exc.kind, exc.retryable) == ("connect", True)


# --- The circuit breaker -------------------------------------------------------

REFUSED = AdapterError("cannot connect: refused", retryable=True, kind="connect")


def test_the_breaker_opens_after_the_threshold_and_fails_fast_after_a_failed_probe():
    async def scenario():
        breaker = CircuitBreaker("sim", threshold=3, reset_s=60)
        for _ in range(3):
            assert breaker.admit() is None
            breaker.record(REFUSED)
        assert breaker.admit() is None  # the probe goes
        waiting = breaker.admit()  # the others wait for it
        assert isinstance(waiting, asyncio.Future) and not waiting.done()
        breaker.record(REFUSED)  # the probe could not connect either
        assert waiting.done()
        with pytest.raises(AdapterError) as caught:
            breaker.admit()
        exc = caught.value
        assert (exc.kind, exc.retryable, exc.sent) == ("unreachable", False, False)
        assert "sim is unreachable" in exc.message and "refused" in exc.message

    asyncio.run(scenario())


def test_a_probe_that_connects_closes_the_breaker():
    async def scenario():
        breaker = CircuitBreaker("sim", threshold=1, reset_s=60)
        breaker.record(REFUSED)
        assert breaker.admit() is None  # the probe
        waiting = breaker.admit()
        breaker.record(AdapterError("HTTP 500", retryable=True, kind="http_500"))
        assert waiting.done() and breaker.admit() is None  # alive: all go

    asyncio.run(scenario())


def test_a_broken_circuit_probes_again_after_reset_s():
    async def scenario():
        breaker = CircuitBreaker("sim", threshold=1, reset_s=0)
        breaker.record(REFUSED)
        assert breaker.admit() is None
        breaker.record(REFUSED)  # broken, but reset_s is 0
        assert breaker.admit() is None  # probes again at once

    asyncio.run(scenario())
