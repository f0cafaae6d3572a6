"""What a pipeline fetches: the label's current promotion, and what a
promotion copies from its sweep (docs/api.md, "Promotion and deployments").

Per stage: the prompt version's messages, the endpoint's name, kind, base URL
and key variable (never a key), the model and params, as the sweep ran them.
"""

from __future__ import annotations

from experiments.exceptions import NotFound
from experiments.models import (
    ApiKey,
    Endpoint,
    Experiment,
    Promotion,
    PromptVersion,
    Sweep,
)
from experiments.models.prompts import messages_hash
from experiments.services.access import visible_projects
from experiments.spec.stages import stages_of
from experiments.types import UserLike

ENDPOINT_KEYS = ("kind", "base_url", "api_key_env")  # never a key


def deployment_for(
    project: str,
    experiment: str,
    label: str,
    user: UserLike,
    api_key: ApiKey | None = None,
) -> dict:
    """What a pipeline fetches to run ``label``'s current config of the named
    experiment: any member (viewers too), or a key of one, may read it.
    Raises ``NotFound`` alike for what does not exist and what the caller
    may not see."""
    found = (
        Experiment.objects.filter(
            project__in=visible_projects(user, api_key),
            project__name=project,
            name=experiment,
        )
        .select_related("project")
        .first()
    )
    promotion = found and Promotion.objects.current(found, label)
    if not promotion:
        raise NotFound(
            f'Nothing is promoted to "{label}" in experiment "{experiment}" '
            f'of project "{project}".'
        )
    return deployment_payload(promotion)


def deployment_payload(promotion: Promotion) -> dict:
    experiment = promotion.experiment
    return {
        "project": experiment.project.name,
        "experiment": experiment.name,
        "label": promotion.label,
        "config_hash": promotion.config_hash,
        "stages": promotion.deployment,
        "scores": promotion.scores,
        "promotion": {
            "id": promotion.pk,
            "sweep": promotion.sweep_number,
            "promoted_by": username(promotion),
            "promoted_at": promotion.promoted_at.isoformat(),
            "note": promotion.note,
        },
    }


def username(promotion: Promotion) -> str | None:
    user = promotion.promoted_by
    return user.get_username() if user else None


def deployment_stages(sweep: Sweep, config: dict) -> list[dict]:
    """Per stage of ``config`` (a run's): the prompt (name, stored version
    number, messages), the endpoint (name, kind, base URL, key variable),
    the model and params, as the sweep ran them (its spec and endpoint
    snapshots)."""
    stages = stages_of(sweep.spec)
    choices = config.get("stages") or [{**config, "name": stages[0]["name"]}]
    out = []
    for stage, choice in zip(stages, choices, strict=True):
        prompt = next(p for p in stage["prompts"] if p["name"] == choice["prompt"])
        out.append(
            {
                "name": stage["name"],
                "prompt": {
                    "name": prompt["name"],
                    "version": _version(sweep, prompt),
                    "messages": prompt["messages"],
                },
                "endpoint": _endpoint(sweep, choice["endpoint"]),
                "model": choice["model"],
                "params": choice.get("params") or {},
            }
        )
    return out


def _version(sweep: Sweep, prompt: dict) -> int | None:
    return (
        PromptVersion.objects.filter(
            prompt__project_id=sweep.experiment.project_id,
            prompt__name=prompt["name"],
            content_hash=messages_hash(prompt["messages"]),
        )
        .values_list("number", flat=True)
        .order_by("number")
        .first()
    )


def _endpoint(sweep: Sweep, name: str) -> dict:
    settings = (sweep.endpoints or {}).get(name)
    if settings is None:  # a sweep made before endpoint snapshots
        row = Endpoint.objects.filter(
            project_id=sweep.experiment.project_id, name=name
        ).first()
        settings = {key: getattr(row, key) for key in ENDPOINT_KEYS} if row else {}
    return {
        "name": name,
        **{key: settings.get(key) or None for key in ENDPOINT_KEYS},
    }
