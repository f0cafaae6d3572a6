"""Experiments: validate a spec, create or update one from it, read them."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from mcp.server.mcpserver import MCPServer

from agents_mcp.auth import Caller
from agents_mcp.tools.common import mine, register
from experiments.api.serializers.sweeps import (
    ExperimentSerializer,
    SweepSerializer,
    ValidationResultSerializer,
)
from experiments.models import Experiment
from experiments.services.access import require_key_scope
from experiments.services.experiments import (
    create_experiment,
    validate_experiment_spec,
    validation_report,
)
from experiments.spec import SpecInvalid
from experiments.spec.errors import SpecError
from experiments.spec.schema import SPEC_SCHEMA

SPEC_HELP = (
    "An experiment spec (the JSON form of the YAML in docs/spec.md): name, "
    "project, endpoints, dataset, prompts, models, params, scorers, strategy."
)


def _document(spec: Any) -> dict:
    if not isinstance(spec, dict):
        raise SpecInvalid([SpecError("", "the spec must be a JSON object")])
    return spec


def validate_spec(caller: Caller, spec: dict[str, Any]) -> dict:
    """Check a spec without storing or calling anything (free): ``valid``,
    every error with its field path (``models[0].endpoint``), and what a
    sweep of it would be: runs, configs, items, ``unique_calls`` (requests
    sent), ``estimated_cost`` in USD (null when a model has no price) and
    the effective ``concurrency`` per endpoint. Fix the errors and call it
    again; then ``save_experiment``."""
    result = validate_experiment_spec(_document(spec), projects=caller.projects())
    data = validation_report(result)
    return dict(ValidationResultSerializer(data).data)


def save_experiment(caller: Caller, spec: dict[str, Any]) -> dict:
    """Create the experiment the spec names in its project (editors; a new
    project makes you its owner), or give an existing one of that name the
    new spec (its earlier sweeps stay). Stores its endpoints, prompt
    versions and dataset. Free: nothing is called until ``start_sweep``.
    Invalid: the errors with their field paths, nothing stored."""
    document = _document(spec)
    project = document.get("project")
    require_key_scope(
        caller.api_key, project if isinstance(project, str) else "default"
    )
    experiment, _ = create_experiment(document, caller.user, projects=caller.projects())
    return dict(ExperimentSerializer(experiment).data)


def list_experiments(caller: Caller, project: int | None = None) -> dict:
    """Experiments you can see (of one ``project`` if given): id, name,
    dataset and how many sweeps each has. Free."""
    rows = Experiment.objects.filter(project__in=caller.projects())
    if project is not None:
        rows = rows.filter(project=project)
    rows = rows.annotate(sweep_count=Count("sweeps")).order_by("project", "name")
    data = ExperimentSerializer(rows, many=True).data
    return {"experiments": [{k: v for k, v in r.items() if k != "spec"} for r in data]}


def get_experiment(caller: Caller, experiment: int) -> dict:
    """One experiment with its spec as accepted and its latest sweeps (id,
    status, progress). Free."""
    found = mine(caller, Experiment, experiment)
    sweeps = found.sweeps.select_related("experiment")[:10]
    return {
        **ExperimentSerializer(found).data,
        "latest_sweeps": SweepSerializer(sweeps, many=True).data,
    }


def register_all(server: MCPServer) -> None:
    for fn in (validate_spec, save_experiment, list_experiments, get_experiment):
        register(server, fn)
    for name in ("validate_spec", "save_experiment"):
        tool = server._tool_manager.get_tool(name)
        assert tool is not None
        tool.parameters["properties"]["spec"] = {
            **SPEC_SCHEMA,
            "description": SPEC_HELP,
        }
