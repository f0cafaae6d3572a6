from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from experiments.dataset_io import ItemData
from experiments.exceptions import NotFound
from experiments.models import Dataset, Endpoint, Experiment, Project, Prompt
from experiments.services.datasets import dataset_items, replace_items
from experiments.services.projects import ensure_project, signed_in
from experiments.services.prompts import add_prompt_version
from experiments.spec import SpecContext, SpecInvalid, SpecResult, validate_spec
from experiments.spec.outline import call_estimate, stage_outline
from experiments.spec.stages import all_scorers
from experiments.spec.validator import DEFAULT_PROJECT
from experiments.types import UserLike


def spec_context(
    document: Any,
    *,
    allow_file: bool = False,
    base_dir: Path | None = None,
    dataset_file: Path | None = None,
    projects: QuerySet[Project] | None = None,
) -> SpecContext:
    """A validator context that looks up the spec's project in the database,
    among ``projects`` only when given (the caller's, for the API)."""
    name = document.get("project") if isinstance(document, dict) else None
    if not isinstance(name, str):
        name = None
    projects = Project.objects.all() if projects is None else projects
    project = projects.filter(name=name or DEFAULT_PROJECT).first()

    def datasets(dataset_name: str) -> list[ItemData] | None:
        if project is None:
            return None
        dataset = project.datasets.filter(name=dataset_name).first()
        return None if dataset is None else dataset_items(dataset)

    endpoints = (
        {
            e.name: {key: getattr(e, key) for key in Endpoint.SETTINGS_FIELDS}
            for e in project.endpoints.all()
        }
        if project
        else {}
    )
    return SpecContext(
        datasets=datasets,
        endpoints=endpoints,
        allow_file=allow_file,
        base_dir=base_dir or Path.cwd(),
        dataset_file=dataset_file,
    )


def validate_experiment_spec(document: Any, **context_options: Any) -> SpecResult:
    """Validate against what is stored; see ``spec_context`` for the options."""
    return validate_spec(document, spec_context(document, **context_options))


@transaction.atomic
def validation_report(result: SpecResult, warnings: list[dict] | None = None) -> dict:
    """What validating a spec tells its author (the API's validate action and
    the MCP ``validate_spec`` tool): ``valid``, every error with its field
    path, and what a sweep of it would be (runs, configs, unique calls,
    estimated cost beside the full grid's, effective concurrency)."""
    stages: list[dict] = []
    unique_calls = naive_calls = 0
    if result.ok and result.spec is not None:
        stages = stage_outline(result.spec)
        unique_calls, naive_calls = call_estimate(result.spec, len(result.items))
    return {
        "valid": result.ok,
        "errors": [e.as_dict() for e in result.errors],
        "runs": result.runs,
        "configs": result.configs,
        "items": len(result.items),
        "samples": result.samples,
        "estimated_cost": result.estimated_cost,
        "grid_runs": result.grid_runs,
        "grid_estimated_cost": result.grid_estimated_cost,
        "unpriced_models": result.unpriced_models,
        "summary": result.summary() if result.ok else "",
        "concurrency": result.concurrency,
        "warnings": warnings or [],
        "stages": stages,
        "unique_calls": unique_calls,
        "naive_calls": naive_calls,
    }


def create_experiment(
    document: Any, user: UserLike = None, **context_options: Any
) -> tuple[Experiment, SpecResult]:
    """Validate ``document`` and store it: project, inline endpoints, prompt
    versions, dataset and the experiment. An experiment of the same name in
    the project takes the new spec (its earlier sweeps stay).

    Raises ``SpecInvalid`` (nothing written), ``NotFound`` (the project
    exists but is not among ``projects``) or ``Forbidden``.
    """
    result = validate_experiment_spec(document, **context_options)
    if not result.ok or result.spec is None:
        raise SpecInvalid(result.errors)
    spec = dict(result.spec)
    visible = context_options.get("projects")
    hidden = visible is not None and not visible.filter(name=spec["project"]).exists()
    if hidden and Project.objects.filter(name=spec["project"]).exists():
        raise NotFound(f'Project "{spec["project"]}" not found.')
    project = ensure_project(spec["project"], user)
    # A stored endpoint is never changed by a spec: the validator refused an
    # inline endpoint whose settings differ from the stored one's.
    for entry in spec["endpoints"]:
        Endpoint.objects.get_or_create(
            project=project,
            name=entry["name"],
            defaults={key: entry[key] for key in Endpoint.SETTINGS_FIELDS},
        )
    dataset = _store_dataset(project, spec, result)
    spec["dataset"] = {"name": dataset.name, "limit": spec["dataset"].get("limit")}
    versions = [
        add_prompt_version(
            Prompt.objects.get_or_create(project=project, name=p["name"])[0],
            p["messages"],
            user,
        )[0]
        for p in spec["prompts"]
    ]
    experiment, _ = Experiment.objects.update_or_create(
        project=project,
        name=spec["name"],
        defaults={
            "description": spec["description"],
            "spec": spec,
            "spec_source": document,
            "dataset": dataset,
        },
        create_defaults={
            "description": spec["description"],
            "spec": spec,
            "spec_source": document,
            "dataset": dataset,
            "created_by": signed_in(user),
        },
    )
    experiment.prompt_versions.set(versions)
    used = {m["endpoint"] for m in spec["models"]} | {
        s["endpoint"] for s in all_scorers(spec) if s["type"] == "llm_judge"
    }
    experiment.endpoints.set(project.endpoints.filter(name__in=used))
    return experiment, result


def _store_dataset(project: Project, spec: dict, result: SpecResult) -> Dataset:
    source = spec["dataset"]
    if "name" in source:
        return project.datasets.get(name=source["name"])
    # Inline items and files become a dataset named after the experiment.
    dataset, _ = Dataset.objects.get_or_create(
        project=project,
        name=spec["name"],
        defaults={"description": f"Items of experiment {spec['name']}"},
    )
    # Every item is stored; `limit` stays in the spec and applies per sweep.
    replace_items(dataset, result.all_items)
    return dataset
