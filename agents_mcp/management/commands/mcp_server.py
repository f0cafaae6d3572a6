"""``python manage.py mcp_server``: PromptLooper's MCP server for agents.

Over streamable HTTP (the default; endpoint ``/mcp``, served by uvicorn: the
SDK's app needs the ASGI lifespan daphne does not run) every request
carries ``Authorization: Bearer <API key>``. Over stdio the key comes from
``PROMPTLOOPER_API_KEY`` and is checked before serving.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from agents_mcp.auth import ENV_KEY, RejectionThrottle, caller_of, use_stdio_key
from agents_mcp.server import build_server
from experiments.exceptions import Forbidden


class Command(BaseCommand):
    help = "Serve the MCP server (streamable HTTP at /mcp, or stdio)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--transport",
            choices=["streamable-http", "stdio"],
            default="streamable-http",
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.MCP_PORT)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["transport"] == "stdio":
            self.serve_stdio()
        else:
            self.serve_http(options["host"], options["port"])

    def serve_stdio(self) -> None:
        key = os.environ.get(ENV_KEY, "").strip()
        if not key:
            raise CommandError(
                f"{ENV_KEY} is not set: give the MCP server an API key "
                "(create one in the web UI or POST /api/keys/)."
            )
        try:
            caller = caller_of(key)
        except Forbidden:
            raise CommandError(
                f"{ENV_KEY} is not a valid API key (wrong, revoked or expired)."
            ) from None
        use_stdio_key(key)
        # stdout is the protocol's: say nothing there.
        self.stderr.write(f"PromptLooper MCP server on stdio as {caller.user}.")
        build_server(http=False).run("stdio")

    def serve_http(self, host: str, port: int) -> None:
        import uvicorn

        server = build_server(http=True, host=host, port=port)
        app = RejectionThrottle(server.streamable_http_app(host=host))
        self.stdout.write(f"PromptLooper MCP server: http://{host}:{port}/mcp")
        self.stdout.flush()
        uvicorn.run(app, host=host, port=port, log_level="warning")
