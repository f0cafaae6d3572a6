"""Promotion: a finished sweep's config made the current one of a label, and
the deployment a pipeline fetches for it (experiments/services/promotions)."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer

from agents_mcp.auth import Caller
from agents_mcp.tools.common import register
from agents_mcp.tools.sweeps import visible_sweep
from experiments.services import deployments, promotions


def promote(
    caller: Caller, sweep: int, config: str, label: str = "production", note: str = ""
) -> dict:
    """Make config ``config`` (a leaderboard row's ``config_hash``) of a
    finished sweep the current one of ``label`` in its experiment (editors;
    a new history entry, earlier ones stay for rollback). Free. Next:
    ``get_deployment`` shows what a pipeline will run."""
    found = visible_sweep(caller, sweep)
    caller.require(found.experiment.project, "editor")
    promotion = promotions.promote_config(found, config, label, caller.user, note)
    return deployments.deployment_payload(promotion)


def get_deployment(
    caller: Caller, project: str, experiment: str, label: str = "production"
) -> dict:
    """What runs ``label`` of the named experiment now: its prompt versions,
    models, params and endpoints per stage (no keys), the scores it earned
    and who promoted it when. Free; viewers too."""
    return deployments.deployment_for(
        project, experiment, label, caller.user, caller.api_key
    )


def register_all(server: MCPServer) -> None:
    register(server, promote)
    register(server, get_deployment)
