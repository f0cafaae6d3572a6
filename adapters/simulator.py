"""An OpenAI-compatible LLM *simulator* for demos, tests and benchmarks.

It speaks the chat-completions HTTP API for real (``POST /v1/chat/completions``,
``GET /v1/models``) but is not a model: the ``sim-*`` models in
``adapters.sim_models`` answer with deterministic heuristics, so a demo
leaderboard has a stable, meaningful order and tests can assert exact output.

For exercising the engine it adds what real endpoints do to clients: latency
with jitter (per model too), 429s with ``Retry-After``, 500s, hung requests
and malformed bodies, injected at configured rates from a seeded RNG; a
context length (longer prompts get OpenAI's 400 ``context_length_exceeded``);
and llama-cpp-python's habit of answering request validation errors with a
500. ``GET /stats`` counts what happened and ``GET/POST /config`` changes
these settings live.

Run it with ``python manage.py simulate_llm`` or, in tests, with
``SimulatorServer`` (uvicorn in a daemon thread).
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import socket
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import uvicorn

from adapters import sim_models

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

MODEL_NAMES: tuple[str, ...] = tuple(sim_models.MODELS)
OWNER = "promptlooper-simulator"

# Settings that ``POST /config`` may change while the server runs.
LIVE_FIELDS = (
    "latency_ms",
    "jitter_ms",
    "fail_rate",
    "rate429",
    "timeout_rate",
    "malformed_rate",
    "retry_after",
    "timeout_s",
    "model_latency_ms",
    "context_chars",
    "validation_500",
)
RATE_FIELDS = frozenset({"fail_rate", "rate429", "timeout_rate", "malformed_rate"})


@dataclass
class SimulatorConfig:
    host: str = "127.0.0.1"
    port: int = 8499  # 0: any free port (SimulatorServer picks one)
    latency_ms: float = 50.0
    jitter_ms: float = 10.0
    fail_rate: float = 0.0
    rate429: float = 0.0
    timeout_rate: float = 0.0
    malformed_rate: float = 0.0
    retry_after: float = 1.0  # seconds, sent in the Retry-After header
    timeout_s: float = 120.0  # how long a "timeout" fault hangs
    # Per model, replaces latency_ms (jitter still applies): a slow judge.
    model_latency_ms: dict[str, float] = field(default_factory=dict)
    # Prompts longer than this many characters get a 400 (0: no limit).
    context_chars: float = 0
    # Answer invalid requests as llama-cpp-python does: 500, not 400.
    validation_500: bool = False
    # Answer every chat request, whatever model it names, with this model and
    # say so in the response's "model" (as single-model servers do):
    # a misspelt model name goes unnoticed. Empty: unknown models get a 404.
    served_model: str = ""
    # What GET /v1/models lists (empty: every simulated model).
    listed_models: list[str] = field(default_factory=list)
    api_key: str = field(default="", repr=False)
    seed: int = 0

    def live(self) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in LIVE_FIELDS}
        values["model_latency_ms"] = dict(self.model_latency_ms)
        return values


def _error(
    message: str, type_: str, code: str | None = None, param: str | None = None
) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def _dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _tokens(chars: int) -> int:
    return max(1, math.ceil(chars / 4))


class BadRequest(Exception):
    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRequest(f"'{name}' must be a number.", name)
    if value < 0 or (name in RATE_FIELDS and value > 1):
        raise BadRequest(f"'{name}' is out of range.", name)
    return float(value)


def _live_value(name: str, value: Any) -> Any:
    """A checked value for a LIVE_FIELDS setting, or BadRequest."""
    if name == "validation_500":
        if not isinstance(value, bool):
            raise BadRequest(f"'{name}' must be true or false.", name)
        return value
    if name == "model_latency_ms":
        if not isinstance(value, dict):
            raise BadRequest(f"'{name}' must be an object of model: ms.", name)
        return {str(model): _number(name, ms) for model, ms in value.items()}
    return _number(name, value)


def _validate(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    if not isinstance(body.get("model"), str) or not body["model"]:
        raise BadRequest("You must provide a model parameter.", "model")
    messages = body.get("messages")
    if (
        not isinstance(messages, list)
        or not messages
        or not all(isinstance(m, dict) and "role" in m for m in messages)
    ):
        raise BadRequest(
            "'messages' must be a non-empty list of {role, content} objects.",
            "messages",
        )
    temperature = body.get("temperature")
    if temperature is not None and (
        isinstance(temperature, bool)
        or not isinstance(temperature, int | float)
        or not 0 <= temperature <= 2
    ):
        raise BadRequest("'temperature' must be a number from 0 to 2.", "temperature")
    for name in ("max_tokens", "max_completion_tokens"):
        value = body.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            raise BadRequest(f"'{name}' must be a positive integer.", name)
    if body.get("stream"):
        raise BadRequest("The simulator does not support streaming.", "stream")
    return body


def _completion(request: dict[str, Any]) -> dict[str, Any]:
    digest = sim_models.request_digest(request)
    text = sim_models.answer(request, digest)
    finish_reason = "stop"
    limit = request.get("max_tokens") or request.get("max_completion_tokens")
    if limit is not None and _tokens(len(text)) > limit:
        text = text[: limit * 4]
        finish_reason = "length"
    prompt_chars = sum(len(sim_models.message_text(m)) for m in request["messages"])
    prompt_tokens, completion_tokens = _tokens(prompt_chars), _tokens(len(text))
    return {
        "id": f"simcmpl-{digest[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request["model"],
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


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

    def update_config(self, changes: Any) -> dict[str, float]:
        """Apply a subset of LIVE_FIELDS, all or nothing."""
        if not isinstance(changes, dict):
            raise BadRequest("The config body must be a JSON object.")
        unknown = sorted(set(changes) - set(LIVE_FIELDS))
        if unknown:
            raise BadRequest(f"Unknown config fields: {', '.join(unknown)}.")
        self.config = replace(
            self.config,
            **{name: _live_value(name, value) for name, value in changes.items()},
        )
        return self.config.live()

    # --- ASGI ---------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path = scope["path"].rstrip("/") or "/"
        method = scope["method"]
        if path.startswith("/v1/") and not self._authorised(scope):
            await self._send(
                send,
                401,
                _error(
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
            data = [self._model_card(name) for name in listed]
            await self._send(send, 200, {"object": "list", "data": data})
        elif path.startswith("/v1/models/") and method == "GET":
            name = path.removeprefix("/v1/models/")
            if name in sim_models.MODELS:
                await self._send(send, 200, self._model_card(name))
            else:
                await self._send(send, 404, self._no_such_model(name))
        elif path == "/stats" and method == "GET":
            await self._send(send, 200, self.stats())
        elif path == "/stats/reset" and method == "POST":
            self.reset()
            await self._send(send, 200, self.stats())
        elif path == "/config" and method in ("GET", "POST"):
            await self._config(method, receive, send)
        elif path == "/health" and method == "GET":
            await self._send(send, 200, {"status": "ok", "simulator": True})
        else:
            await self._send(
                send,
                404,
                _error(f"Unknown route: {method} {path}", "invalid_request_error"),
            )

    async def _chat(self, receive: Receive, send: Send) -> None:
        self.requests += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            raw = await self._body(receive)
            try:
                request = _validate(json.loads(raw))
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
                await self._send(send, 404, self._no_such_model(model))
                return
            too_long = self._context_exceeded(request)
            if too_long:
                self.rejected["context"] += 1
                await self._send(send, 400, too_long)
                return
            self.by_model[model] = self.by_model.get(model, 0) + 1
            config, rng = self.config, self._fault_rng
            # One draw per enabled fault, in a fixed order, so a seed replays.
            if config.timeout_rate and rng.random() < config.timeout_rate:
                self.faults["timeout"] += 1
                if await self._hang(receive, config.timeout_s):
                    return  # the client gave up; nobody to answer
            elif config.rate429 and rng.random() < config.rate429:
                self.faults["429"] += 1
                await self._rate_limited(send, config.retry_after)
                return
            elif config.fail_rate and rng.random() < config.fail_rate:
                self.faults["500"] += 1
                await self._send(
                    send,
                    500,
                    _error(
                        "The server had an error processing your request "
                        "(simulated fault).",
                        "server_error",
                    ),
                )
                return
            elif config.malformed_rate and rng.random() < config.malformed_rate:
                self.faults["malformed"] += 1
                await self._send_bytes(send, 200, b'{"id": "simcmpl-x", "choices": [')
                return
            await self._latency(config, model)
            body = _completion(request)
            await self._send(send, 200, body)
            self.completions += 1
        finally:
            self.in_flight -= 1

    def _context_exceeded(self, request: dict[str, Any]) -> dict[str, Any] | None:
        """OpenAI's 400 for a prompt over the context length, or None."""
        limit = self.config.context_chars
        chars = sum(len(sim_models.message_text(m)) for m in request["messages"])
        if not limit or chars <= limit:
            return None
        return _error(
            f"This model's maximum context length is {_tokens(int(limit))} tokens. "
            f"However, your messages resulted in {_tokens(chars)} tokens. "
            "Please reduce the length of the messages.",
            "invalid_request_error",
            "context_length_exceeded",
            "messages",
        )

    async def _latency(self, config: SimulatorConfig, model: str = "") -> None:
        latency = config.model_latency_ms.get(model, config.latency_ms)
        if not latency and not config.jitter_ms:
            return  # skip even a zero sleep: benchmarks run at 0 ms
        jitter = self._jitter_rng.uniform(-config.jitter_ms, config.jitter_ms)
        delay = max(0.0, latency + jitter) / 1000
        if delay:
            await asyncio.sleep(delay)

    async def _hang(self, receive: Receive, seconds: float) -> bool:
        """Sleep ``seconds`` or until the client disconnects (True if it did)."""

        async def disconnected() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        watcher = asyncio.ensure_future(disconnected())
        try:
            done, _ = await asyncio.wait({watcher}, timeout=seconds)
        finally:
            watcher.cancel()
        return watcher in done

    async def _config(self, method: str, receive: Receive, send: Send) -> None:
        if method == "GET":
            await self._send(send, 200, self.config.live())
            return
        try:
            changes = json.loads(await self._body(receive) or b"{}")
            await self._send(send, 200, self.update_config(changes))
        except (ValueError, UnicodeDecodeError):
            await self._bad_request(send, "We could not parse the JSON body.")
        except BadRequest as exc:
            await self._bad_request(send, str(exc), exc.param)

    def _authorised(self, scope: Scope) -> bool:
        key = self.config.api_key
        if not key:
            return True
        expected = f"Bearer {key}".encode()
        return any(
            name == b"authorization" and value == expected
            for name, value in scope["headers"]
        )

    @staticmethod
    def _model_card(name: str) -> dict[str, Any]:
        return {"id": name, "object": "model", "created": 0, "owned_by": OWNER}

    @staticmethod
    def _no_such_model(name: str) -> dict[str, Any]:
        return _error(
            f"The model '{name}' does not exist",
            "invalid_request_error",
            "model_not_found",
            "model",
        )

    @staticmethod
    async def _body(receive: Receive) -> bytes:
        chunks = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        return b"".join(chunks)

    async def _invalid(
        self, send: Send, message: str, param: str | None = None
    ) -> None:
        """An invalid request: OpenAI's 400, or with ``validation_500`` the 500
        llama-cpp-python sends (its route handler turns FastAPI's validation
        error into an "internal_server_error" whose message is the error)."""
        self.rejected["invalid"] += 1
        if not self.config.validation_500:
            await self._bad_request(send, message, param)
            return
        loc = ("body", param) if param else ("body",)
        detail = {"type": "value_error", "loc": loc, "msg": message, "input": None}
        await self._send(
            send,
            500,
            _error(f"1 validation error:\n  {detail}\n", "internal_server_error"),
        )

    async def _bad_request(
        self, send: Send, message: str, param: str | None = None
    ) -> None:
        await self._send(
            send, 400, _error(message, "invalid_request_error", None, param)
        )

    async def _rate_limited(self, send: Send, retry_after: float) -> None:
        seconds = f"{retry_after:g}"
        body = _error(
            f"Rate limit reached (simulated). Please try again in {seconds}s.",
            "requests",
            "rate_limit_exceeded",
        )
        # OpenAI's own clients read retry-after-ms before retry-after.
        headers = [
            (b"retry-after", seconds.encode()),
            (b"retry-after-ms", f"{retry_after * 1000:g}".encode()),
        ]
        await self._send(send, 429, body, headers)

    async def _send(
        self,
        send: Send,
        status: int,
        payload: Any,
        headers: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        await self._send_bytes(send, status, _dumps(payload), headers)

    @staticmethod
    async def _send_bytes(
        send: Send,
        status: int,
        body: bytes,
        headers: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    *(headers or []),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    async def _lifespan(receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


# --- Running it -------------------------------------------------------------


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A bound socket; with port 0 the OS picks a free port. Handing the bound
    socket to uvicorn (rather than closing it and passing the number) leaves no
    window for another process to take the port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # An explicit IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on
    # accepted sockets whose proto says TCP, and without it every keep-alive
    # response waits ~40 ms on Nagle and delayed ACKs.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def format_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class SimulatorServer:
    """The simulator served by uvicorn in a daemon thread, for tests and
    scripts::

        with SimulatorServer(port=0, latency_ms=0) as sim:
            httpx.get(f"{sim.base_url}/models")
    """

    def __init__(self, config: SimulatorConfig | None = None, **overrides: Any) -> None:
        self.config = replace(config or SimulatorConfig(), **overrides)
        self.app = SimulatorApp(self.config)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._client: httpx.Client | None = None

    @property
    def url(self) -> str:
        """The server root (``/stats`` and ``/config`` live here)."""
        return format_url(self.config.host, self.config.port)

    @property
    def base_url(self) -> str:
        """What an OpenAI client takes as ``base_url``."""
        return f"{self.url}/v1"

    def start(self, timeout: float = 10.0) -> SimulatorServer:
        if self._thread is not None:
            raise RuntimeError("The simulator is already running.")
        sock = bind_socket(self.config.host, self.config.port)
        self.config.port = sock.getsockname()[1]
        server = uvicorn.Server(
            uvicorn.Config(
                self.app,
                host=self.config.host,
                port=self.config.port,
                log_level="warning",
                access_log=False,
                lifespan="off",
                # Leave the host process's logging (Django, pytest) alone.
                log_config=None,
                # Hung "timeout" faults must not hold up stop().
                timeout_graceful_shutdown=1,
            )
        )
        thread = threading.Thread(
            target=server.run,
            kwargs={"sockets": [sock]},
            name=f"llm-simulator-{self.config.port}",
            daemon=True,
        )
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                sock.close()
                raise RuntimeError(f"The simulator did not start on {self.url}.")
            time.sleep(0.01)
        self._server, self._thread = server, thread
        return self

    def stop(self, timeout: float = 10.0) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(timeout)
        if thread.is_alive():
            server.force_exit = True
            thread.join(timeout)
        self._server = self._thread = None
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # Over HTTP rather than poking the app: the app belongs to the server's
    # event loop thread.
    def stats(self) -> dict[str, Any]:
        return self._call("GET", "/stats")

    def reset(self) -> dict[str, Any]:
        return self._call("POST", "/stats/reset")

    def configure(self, **changes: Any) -> dict[str, Any]:
        return self._call("POST", "/config", changes)

    def _call(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        if self._client is None:
            self._client = httpx.Client(base_url=self.url, timeout=10)
        response = self._client.request(method, path, json=body)
        response.raise_for_status()
        return response.json()
