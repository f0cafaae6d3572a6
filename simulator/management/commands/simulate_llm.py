"""``manage.py simulate_llm``: serve the LLM simulator in the foreground."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import uvicorn
from django.core.management.base import BaseCommand, CommandError, CommandParser

from simulator.app import MODEL_NAMES, SimulatorApp
from simulator.config import BadRequest, SimulatorConfig
from simulator.server import bind_socket, format_url


class Command(BaseCommand):
    help = (
        "Run the OpenAI-compatible LLM simulator (for demos and tests, not a "
        "model) with optional latency and fault injection."
    )
    # It touches neither the database nor the apps: start fast, even before
    # migrations.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8499, help="0: any free port")
        parser.add_argument("--latency-ms", type=float, default=50.0)
        parser.add_argument("--jitter-ms", type=float, default=10.0)
        parser.add_argument(
            "--fail-rate", type=float, default=0.0, help="share of 500s"
        )
        parser.add_argument("--rate429", type=float, default=0.0, help="share of 429s")
        parser.add_argument(
            "--timeout-rate",
            type=float,
            default=0.0,
            help="share of requests that hang for --timeout-s",
        )
        parser.add_argument(
            "--malformed-rate",
            type=float,
            default=0.0,
            help="share of 200s whose body is not JSON",
        )
        parser.add_argument(
            "--retry-after", type=float, default=1.0, help="seconds, sent with 429s"
        )
        parser.add_argument("--timeout-s", type=float, default=120.0)
        parser.add_argument(
            "--model-latency-ms",
            action="append",
            default=[],
            metavar="MODEL=MS",
            help="latency of one model, replacing --latency-ms (repeatable), "
            "e.g. sim-judge=150",
        )
        parser.add_argument(
            "--context-chars",
            type=float,
            default=0,
            help="prompts longer than this many characters get OpenAI's 400 "
            "context_length_exceeded (0: no limit)",
        )
        parser.add_argument(
            "--validation-500",
            action="store_true",
            help="answer invalid requests with a 500, as llama-cpp-python does",
        )
        parser.add_argument(
            "--served-model",
            default="",
            help="answer every model name with this model, saying so in the "
            "response (as single-model servers do)",
        )
        parser.add_argument(
            "--listed-models",
            default="",
            metavar="M1,M2",
            help="what GET /models lists (default: every simulated model)",
        )
        parser.add_argument(
            "--api-key", default="", help="require 'Authorization: Bearer KEY'"
        )
        parser.add_argument("--seed", type=int, default=0, help="fault RNG seed")

    def handle(self, *args: Any, **options: Any) -> None:
        options["model_latency_ms"] = _model_latencies(options["model_latency_ms"])
        options["listed_models"] = [
            name.strip() for name in options["listed_models"].split(",") if name.strip()
        ]
        # Every option is named after the config field it sets.
        config = SimulatorConfig(
            **{f.name: options[f.name] for f in fields(SimulatorConfig)}
        )
        app = SimulatorApp(config)
        try:
            # Validate the rates like POST /config does.
            app.update_config(config.live())
        except BadRequest as exc:
            raise CommandError(str(exc)) from exc
        # Bind first so the banner can name the port even when --port is 0.
        try:
            sock = bind_socket(config.host, config.port)
        except OSError as exc:
            raise CommandError(
                f"Cannot listen on {config.host}:{config.port}: {exc}"
            ) from exc
        port = sock.getsockname()[1]
        self.stdout.write(
            f"LLM simulator (for demos and tests, not a model) on "
            f"{format_url(config.host, port)}/v1 — models: {', '.join(MODEL_NAMES)}"
        )
        self.stdout.flush()
        server = uvicorn.Server(
            uvicorn.Config(
                app,
                host=config.host,
                port=port,
                log_level="warning",
                access_log=False,
                lifespan="off",
            )
        )
        server.run(sockets=[sock])


def _model_latencies(values: list[str]) -> dict[str, float]:
    latencies = {}
    for value in values:
        model, _, ms = value.partition("=")
        try:
            latencies[model.strip()] = float(ms)
        except ValueError:
            raise CommandError(
                f"--model-latency-ms {value!r}: expected MODEL=MS, e.g. sim-judge=150"
            ) from None
        if not model.strip():
            raise CommandError(f"--model-latency-ms {value!r}: the model is missing")
    return latencies
