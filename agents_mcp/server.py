"""The MCP server: PromptLooper's tools for agents, as the key's user.

``build_server(http=True)`` guards every request with the API key as a
bearer token; over stdio the key was checked at start-up (``auth``).
"""

from __future__ import annotations

from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer
from pydantic import AnyHttpUrl

from agents_mcp.auth import SCOPE, ApiKeyVerifier
from agents_mcp.tools import experiments, projects, promotion, resources, results
from agents_mcp.tools import sweeps as sweep_tools

INSTRUCTIONS = """\
PromptLooper runs LLM prompt/model/parameter sweeps and ranks the configs.
A typical session: list_projects -> validate_spec (fix its errors) ->
save_experiment -> start_sweep with a budget (max_runs, max_calls,
max_cost) -> wait_for_sweep until final -> leaderboard -> compare_configs
-> promote the best. Only start_sweep and resume_sweep spend money (model
calls); everything else is free. Errors are JSON: detail, status and
errors with field paths."""


def build_server(*, http: bool, host: str = "127.0.0.1", port: int = 8401) -> MCPServer:
    verifier, auth = None, None
    if http:
        verifier = ApiKeyVerifier()
        auth = AuthSettings(
            # Metadata only (keys are not OAuth tokens): any bind address.
            issuer_url=AnyHttpUrl(f"http://127.0.0.1:{port}"),
            resource_server_url=None,
            required_scopes=[SCOPE],
        )
    server = MCPServer(
        "promptlooper",
        instructions=INSTRUCTIONS,
        log_level="WARNING",
        token_verifier=verifier,
        auth=auth,
    )
    for module in (projects, experiments, resources, sweep_tools, results, promotion):
        module.register_all(server)
    return server
