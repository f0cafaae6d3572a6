"""``--check-endpoints``: ask each endpoint a spec uses for its model list.

Many servers answer whatever model is asked (a single-model llama.cpp, a
proxy), so a misspelt name would run and be scored as if it were right.
Names an endpoint does not list are warnings, not errors: some servers list
only part of what they serve, and an unreachable endpoint may be up by the
time the sweep runs.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from adapters.connection import check_connection
from adapters.endpoint_policy import EndpointRefused, check_endpoint
from adapters.urls import normalise_base_url
from experiments.models import Endpoint, Project
from experiments.spec import SpecError
from experiments.spec.stages import stages_of

CHECK_TIMEOUT_S = 10.0


def unlisted_model_warnings(
    spec: dict, projects: QuerySet[Project] | None = None
) -> list[SpecError]:
    """One warning per model (and llm_judge model) its endpoint does not list,
    and one per endpoint whose models could not be listed. ``spec`` is a
    validated spec (``SpecResult.spec``); stored endpoints are looked up in
    its project among ``projects`` (all when None)."""
    projects = Project.objects.all() if projects is None else projects
    project = projects.filter(name=spec["project"]).first()
    stored = {e.name: e for e in project.endpoints.all()} if project else {}
    inline = {e["name"]: e for e in spec["endpoints"]}
    stages = stages_of(spec)
    wanted = (
        [
            (f"models[{i}]", m["endpoint"], m["model"])
            for i, m in enumerate(spec["models"] if len(stages) == 1 else [])
        ]
        + [
            (f"stages[{k}].{part}[{i}]", e["endpoint"], e["model"])
            for k, stage in enumerate(stages if len(stages) > 1 else [])
            for part in ("models", "scorers")
            for i, e in enumerate(stage[part])
            if part == "models" or e["type"] == "llm_judge"
        ]
        + [
            (f"scorers[{i}]", s["endpoint"], s["model"])
            for i, s in enumerate(spec["scorers"])
            if s["type"] == "llm_judge"
        ]
    )
    listed: dict[str, list[str] | None] = {}
    warnings = []
    for path, name, model in wanted:
        if name not in listed:
            models, problem = _list_models(name, inline.get(name), stored.get(name))
            listed[name] = models
            if problem:
                warnings.append(
                    SpecError(
                        f"{path}.endpoint",
                        f'could not list the models of endpoint "{name}": {problem}',
                    )
                )
        models = listed[name]
        if models is not None and model not in models:
            shown = ", ".join(models[:10]) + (" ..." if len(models) > 10 else "")
            warnings.append(
                SpecError(
                    f"{path}.model",
                    f'endpoint "{name}" does not list model "{model}" (it lists: '
                    f"{shown or 'none'}); a server that answers any name would "
                    "run it with another model",
                )
            )
    return warnings


def _list_models(
    name: str, inline: dict | None, row: Endpoint | None
) -> tuple[list[str] | None, str]:
    """(model ids or None, why they could not be listed)."""
    source = inline if inline is not None else row
    if source is None:
        return None, "it is not defined"

    def get(key: str) -> Any:
        return source.get(key) if isinstance(source, dict) else getattr(source, key)

    base_url = normalise_base_url(get("base_url"))
    key_env = get("api_key_env") or ""
    try:
        check_endpoint(name, base_url, key_env)
        key = _key(name, base_url, key_env, row)
    except EndpointRefused as exc:
        return None, str(exc)
    timeout = min(float(get("timeout_s") or CHECK_TIMEOUT_S), CHECK_TIMEOUT_S)
    result = check_connection(base_url, key, timeout)
    if not result.ok:
        return None, result.message
    return result.models, ""


def _key(name: str, base_url: str, key_env: str, row: Endpoint | None) -> str:
    # As a sweep would: the stored key, only for the URL it is stored with.
    if row is not None and row.api_key:
        if normalise_base_url(row.base_url) == base_url:
            return row.api_key
        return ""
    if key_env:
        return Endpoint(name=name, api_key_env=key_env).resolved_api_key()
    return ""
