"""Datasets, prompts and their versions, endpoints (never their keys)."""

from __future__ import annotations

import json
from typing import Any

from mcp.server.mcpserver import MCPServer

from adapters.connection import ConnectionResult, check_connection
from adapters.endpoint_policy import EndpointRefused
from agents_mcp.auth import Caller
from agents_mcp.tools.common import mine, register, valid
from experiments.api.serializers.common import MessageSerializer
from experiments.api.serializers.resources import (
    ConnectionResultSerializer,
    DatasetSerializer,
    EndpointSerializer,
    PromptSerializer,
    PromptVersionSerializer,
)
from experiments.dataset_io import parse_dataset
from experiments.models import Dataset, Endpoint, Prompt
from experiments.services import prompts as prompt_service
from experiments.services.datasets import import_items

WRITE = "editor"


def list_datasets(caller: Caller, project: int) -> dict:
    """The datasets of project ``project`` with their item counts. Free."""
    rows = Dataset.objects.filter(project__in=caller.projects(), project=project)
    data = DatasetSerializer(rows.order_by("name"), many=True).data
    return {"datasets": data}


def create_dataset(
    caller: Caller,
    project: int,
    name: str,
    description: str = "",
    items: list[dict[str, Any]] | None = None,
) -> dict:
    """Create an empty dataset (editors), optionally with ``items`` (each
    ``{"input": {...}, "expected": ..., "tags": [...]}``). A spec names it
    as ``dataset: {name: ...}``. Free. Next: ``add_dataset_items``."""
    data = valid(
        DatasetSerializer,
        {"project": project, "name": name, "description": description},
        request=caller.request,
    )
    caller.require(data["project"], WRITE)
    parsed = _items(items) if items else []
    dataset = Dataset.objects.create(**data)
    if parsed:
        import_items(dataset, parsed)
    return DatasetSerializer(dataset).data


def add_dataset_items(
    caller: Caller, dataset: int, items: list[dict[str, Any]]
) -> dict:
    """Append ``items`` to a dataset (editors): all or nothing, every bad
    item listed (paths ``line N``: the Nth item). Free; existing sweeps
    keep the items they ran."""
    found = mine(caller, Dataset, dataset)
    caller.require(found.project, WRITE)
    result = import_items(found, _items(items))
    return {"dataset": found.pk, "added": result.added}


def _items(items: list[dict[str, Any]]):
    # The file importer's checks, each item a JSONL line (errors by line).
    text = "\n".join(json.dumps(item, ensure_ascii=False) for item in items)
    return parse_dataset(text, "jsonl", "items")


def list_prompts(caller: Caller, project: int) -> dict:
    """The prompts of project ``project``, each with its latest version's
    messages and number. Free."""
    rows = Prompt.objects.filter(project__in=caller.projects(), project=project)
    return {"prompts": PromptSerializer(rows.order_by("name"), many=True).data}


def list_prompt_versions(caller: Caller, prompt: int) -> dict:
    """Every version of prompt ``prompt``, newest first. Free."""
    found = mine(caller, Prompt, prompt)
    versions = found.versions.order_by("-number")
    return {
        "prompt": found.pk,
        "versions": PromptVersionSerializer(versions, many=True).data,
    }


def add_prompt_version(
    caller: Caller,
    messages: list[dict[str, Any]],
    prompt: int | None = None,
    project: int | None = None,
    name: str | None = None,
) -> dict:
    """Store ``messages`` ([{role, content}], Jinja templates over the
    dataset's input fields) as a new version of prompt ``prompt``, or of the
    prompt ``name`` in ``project`` (created if new). Editors. Free; the same
    messages as the latest version add nothing."""
    rows = [valid(MessageSerializer, m) for m in messages]
    if prompt is not None:
        found = mine(caller, Prompt, prompt)
    else:
        data = valid(
            PromptSerializer,
            {"project": project, "name": name, "messages": messages},
            request=caller.request,
        )
        found = Prompt.objects.filter(project=data["project"], name=name).first()
        if found is None:
            caller.require(data["project"], WRITE)
            new = prompt_service.create_prompt(
                data["project"], rows, caller.user, name=name
            )
            return _version(new, new.latest_version, True)
    caller.require(found.project, WRITE)
    version, created = prompt_service.add_prompt_version(found, rows, caller.user)
    return _version(found, version, created)


def _version(prompt: Prompt, version, created: bool) -> dict:
    return {
        "prompt": prompt.pk,
        "name": prompt.name,
        "created": created,
        **PromptVersionSerializer(version).data,
    }


def list_endpoints(caller: Caller, project: int) -> dict:
    """The project's model endpoints (OpenAI-compatible servers): URL,
    limits, prices; whether a key is stored (``api_key_set``), never the
    key. Free."""
    rows = Endpoint.objects.filter(project__in=caller.projects(), project=project)
    return {"endpoints": EndpointSerializer(rows.order_by("name"), many=True).data}


def test_endpoint(caller: Caller, endpoint: int) -> dict:
    """Ask endpoint ``endpoint`` for its model list: does it answer, does it
    take the stored key (editors; one outbound request, no tokens spent)."""
    found = mine(caller, Endpoint, endpoint)
    caller.require(found.project, WRITE)
    try:
        found.check_allowed()
        result = check_connection(
            found.base_url, found.resolved_api_key(), min(found.timeout_s, 15.0)
        )
    except EndpointRefused as exc:
        result = ConnectionResult(False, str(exc))
    data = {"ok": result.ok, "message": result.message, "models": result.models}
    return ConnectionResultSerializer(data).data


def register_all(server: MCPServer) -> None:
    for fn in (
        list_datasets,
        create_dataset,
        add_dataset_items,
        list_prompts,
        list_prompt_versions,
        add_prompt_version,
        list_endpoints,
        test_endpoint,
    ):
        register(server, fn)
