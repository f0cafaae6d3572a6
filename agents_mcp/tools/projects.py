"""Projects, scorers and the response cache's statistics."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer

from agents_mcp.auth import Caller
from agents_mcp.tools.common import register
from experiments.api.serializers.projects import ProjectSerializer
from experiments.api.serializers.sweeps import CacheStatsSerializer, ScorerSerializer
from experiments.models import CachedResponse
from experiments.models.querysets import EMPTY_CACHE_STATS
from scoring.registry import describe_scorers


def list_projects(caller: Caller) -> dict:
    """The projects this API key reaches, each with your role in it (owner,
    editor, viewer: viewers read only). Free. Start here: every other tool
    takes a project, experiment or sweep id found from these."""
    projects = caller.projects().order_by("name")
    rows = ProjectSerializer(
        projects, many=True, context={"request": caller.request}
    ).data
    return {"projects": rows, "read_only_key": caller.api_key.read_only}


def list_scorers(caller: Caller) -> dict:
    """Every scorer a spec's ``scorers`` may use (built-in and custom), with
    its options and which are required. Free; read before writing a spec."""
    return {"scorers": ScorerSerializer(describe_scorers(), many=True).data}


def cache_stats(caller: Caller, project: int | None = None) -> dict:
    """Response-cache statistics per project you reach (or one ``project``):
    entries, hits, calls and cost saved. Cached answers make a re-run of the
    same configs nearly free (``start_sweep`` with ``no_cache`` skips them)."""
    projects = caller.projects().order_by("pk")
    if project is not None:
        projects = projects.filter(pk=project)
    ids = list(projects.values_list("pk", flat=True))
    visible = CachedResponse.objects.filter(project__in=ids)
    totals = visible.stats_by_project()
    rows = [{"project": pk, **totals.get(pk, EMPTY_CACHE_STATS)} for pk in ids]
    return {"cache": CacheStatsSerializer(rows, many=True).data}


def register_all(server: MCPServer) -> None:
    for fn in (list_projects, list_scorers, cache_stats):
        register(server, fn)
