"""The simulator's ASGI app: routing, the simulated faults and latency, and
the counters ``GET /stats`` reports."""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import replace
from typing import Any

from simulator import sim_models
from simulator.asgi import (
    Receive,
    Scope,
    Send,
    bearer_matches,
    lifespan,
    read_body,
    send_bytes,
    send_json,
    wait_for_disconnect,
)
from simulator.config import LIVE_FIELDS, BadRequest, SimulatorConfig, live_value
from simulator.protocol import (
    completion,
    context_exceeded,
    error_body,
    no_such_model,
    validate_request,
)

MODEL_NAMES: tuple[str, ...] = tuple(sim_models.MODELS)
OWNER = "promptlooper-simulator"


class SimulatorApp:
    """The raw ASGI app (no framework: the handler stays lean for benchmarks)."""

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = config or SimulatorConfig()
        self.reset()

    def reset(self) -> None:
        """Zero the counters and restart the fault sequence from the seed, so a
        benchmark run after a reset sees the same faults as the previous one."""
        self._fault_rng = random.Random(self.config.seed)
        self._jitter_rng = random.Random(f"jitter-{self.config.seed}")
        self.requests = 0
        self.completions = 0
        self.by_model: dict[str, int] = {}
        self.faults = {"429": 0, "500": 0, "timeout": 0, "malformed": 0}
        # Requests refused for what they ask (not injected faults).
        self.rejected = {"context": 0, "invalid": 0}
        self.in_flight = 0
        self.max_in_flight = 0

    def stats(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "completions": self.completions,
            "by_model": dict(self.by_model),
            "faults": dict(self.faults),
            "rejected": dict(self.rejected),
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
        }

    def update_config(self, changes: Any) -> dict[str, Any]:
        """Apply a subset of LIVE_FIELDS, all or nothing."""
        if not isinstance(changes, dict):
            raise BadRequest("The config body must be a JSON object.")
        unknown = sorted(set(changes) - set(LIVE_FIELDS))
        if unknown:
            raise BadRequest(f"Unknown config fields: {', '.join(unknown)}.")
        self.config = replace(
            self.config,
            **{name: live_value(name, value) for name, value in changes.items()},
        )
        return self.config.live()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path = scope["path"].rstrip("/") or "/"
        method = scope["method"]
        key = self.config.api_key
        if key and path.startswith("/v1/") and not bearer_matches(scope, key):
            await send_json(
                send,
                401,
                error_body(
                    "Incorrect API key provided",
                    "invalid_request_error",
                    "invalid_api_key",
                ),
            )
            return
        if path == "/v1/chat/completions" and method == "POST":
            await self._chat(receive, send)
        elif path == "/v1/models" and method == "GET":
            listed = self.config.listed_models or MODEL_NAMES
            data = [_model_card(name) for name in listed]
            await send_json(send, 200, {"object": "list", "data": data})
        elif path.startswith("/v1/models/") and method == "GET":
            name = path.removeprefix("/v1/models/")
            if name in sim_models.MODELS:
                await send_json(send, 200, _model_card(name))
            else:
                await send_json(send, 404, no_such_model(name))
        elif path == "/stats" and method == "GET":
            await send_json(send, 200, self.stats())
        elif path == "/stats/reset" and method == "POST":
            self.reset()
            await send_json(send, 200, self.stats())
        elif path == "/config" and method in ("GET", "POST"):
            await self._config(method, receive, send)
        elif path == "/health" and method == "GET":
            await send_json(send, 200, {"status": "ok", "simulator": True})
        else:
            await send_json(
                send,
                404,
                error_body(f"Unknown route: {method} {path}", "invalid_request_error"),
            )

    async def _chat(self, receive: Receive, send: Send) -> None:
        self.requests += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            raw = await read_body(receive)
            try:
                request = validate_request(json.loads(raw))
            except (ValueError, UnicodeDecodeError):
                await self._invalid(send, "We could not parse the JSON body.")
                return
            except BadRequest as exc:
                await self._invalid(send, str(exc), exc.param)
                return
            if self.config.served_model:
                request = {**request, "model": self.config.served_model}
            model = request["model"]
            if model not in sim_models.MODELS:
                await send_json(send, 404, no_such_model(model))
                return
            too_long = context_exceeded(request, self.config.context_chars)
            if too_long:
                self.rejected["context"] += 1
                await send_json(send, 400, too_long)
                return
            self.by_model[model] = self.by_model.get(model, 0) + 1
            config = self.config  # one request sees one config, hang or not
            if await self._fault(config, receive, send):
                return
            await self._latency(config, model)
            await send_json(send, 200, completion(request))
            self.completions += 1
        finally:
            self.in_flight -= 1

    async def _fault(
        self, config: SimulatorConfig, receive: Receive, send: Send
    ) -> bool:
        """Inject at most one fault; True if it answered (or the client left)."""
        rng = self._fault_rng
        # One draw per enabled fault, in a fixed order, so a seed replays.
        if config.timeout_rate and rng.random() < config.timeout_rate:
            self.faults["timeout"] += 1
            # After timeout_s the request is answered normally; a client that
            # gave up has nobody left to answer.
            return await wait_for_disconnect(receive, config.timeout_s)
        if config.rate429 and rng.random() < config.rate429:
            self.faults["429"] += 1
            await _rate_limited(send, config.retry_after)
            return True
        if config.fail_rate and rng.random() < config.fail_rate:
            self.faults["500"] += 1
            await send_json(
                send,
                500,
                error_body(
                    "The server had an error processing your request "
                    "(simulated fault).",
                    "server_error",
                ),
            )
            return True
        if config.malformed_rate and rng.random() < config.malformed_rate:
            self.faults["malformed"] += 1
            await send_bytes(send, 200, b'{"id": "simcmpl-x", "choices": [')
            return True
        return False

    async def _latency(self, config: SimulatorConfig, model: str = "") -> None:
        latency = config.model_latency_ms.get(model, config.latency_ms)
        if not latency and not config.jitter_ms:
            return  # skip even a zero sleep: benchmarks run at 0 ms
        jitter = self._jitter_rng.uniform(-config.jitter_ms, config.jitter_ms)
        delay = max(0.0, latency + jitter) / 1000
        if delay:
            await asyncio.sleep(delay)

    async def _config(self, method: str, receive: Receive, send: Send) -> None:
        if method == "GET":
            await send_json(send, 200, self.config.live())
            return
        try:
            changes = json.loads(await read_body(receive) or b"{}")
            await send_json(send, 200, self.update_config(changes))
        except (ValueError, UnicodeDecodeError):
            await _bad_request(send, "We could not parse the JSON body.")
        except BadRequest as exc:
            await _bad_request(send, str(exc), exc.param)

    async def _invalid(
        self, send: Send, message: str, param: str | None = None
    ) -> None:
        """An invalid request: OpenAI's 400, or with ``validation_500`` the 500
        llama-cpp-python sends (its route handler turns FastAPI's validation
        error into an "internal_server_error" whose message is the error)."""
        self.rejected["invalid"] += 1
        if not self.config.validation_500:
            await _bad_request(send, message, param)
            return
        loc = ("body", param) if param else ("body",)
        detail = {"type": "value_error", "loc": loc, "msg": message, "input": None}
        await send_json(
            send,
            500,
            error_body(f"1 validation error:\n  {detail}\n", "internal_server_error"),
        )


def _model_card(name: str) -> dict[str, Any]:
    return {"id": name, "object": "model", "created": 0, "owned_by": OWNER}


async def _bad_request(send: Send, message: str, param: str | None = None) -> None:
    await send_json(
        send, 400, error_body(message, "invalid_request_error", None, param)
    )


async def _rate_limited(send: Send, retry_after: float) -> None:
    seconds = f"{retry_after:g}"
    body = error_body(
        f"Rate limit reached (simulated). Please try again in {seconds}s.",
        "requests",
        "rate_limit_exceeded",
    )
    # OpenAI's own clients read retry-after-ms before retry-after.
    headers = [
        (b"retry-after", seconds.encode()),
        (b"retry-after-ms", f"{retry_after * 1000:g}".encode()),
    ]
    await send_json(send, 429, body, headers)
