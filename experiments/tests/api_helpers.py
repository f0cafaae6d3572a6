"""A small world for API tests: project "acme" with one of everything, a
second project "zeta", and a way to call the API as any principal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from experiments.engine import store
from experiments.models import Membership, Project, Run, Score
from experiments.services.access import create_api_key, revoke_api_key
from experiments.services.experiments import create_experiment
from experiments.services.sweeps import create_sweep
from experiments.tests.engine_helpers import extraction_spec

SECRET = "sk-endpoint-secret-DO-NOT-LEAK-123"


@dataclass
class World:
    project: Project
    zeta: Project
    ids: dict[str, int] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    users: dict = field(default_factory=dict)


def build_world(alice, bob, carol, charlie, project: Project) -> World:
    zeta = Project.objects.create(name="zeta")
    Membership.objects.create(project=zeta, user=alice, role="owner")
    spec = extraction_spec("http://127.0.0.1:9/v1", n_items=2)
    experiment, _ = create_experiment(spec, alice)
    endpoint = project.endpoints.get(name="sim")
    endpoint.api_key = SECRET
    endpoint.save()
    prompt = project.prompts.get(name="p")
    from experiments.services.prompts import add_prompt_version

    add_prompt_version(prompt, [{"role": "user", "content": "v2 {{ passage }}"}])
    sweep = create_sweep(experiment, alice)
    store.plan_runs(store.load_context(sweep.pk))
    run = sweep.runs.order_by("id").first()
    Run.objects.filter(pk=run.pk).update(status="done", score=0.5, output_text="{}")
    Score.objects.create(run=run, scorer="json_valid", value=1.0)
    world = World(project=project, zeta=zeta)
    world.ids = {
        "project": project.pk,
        "endpoint": endpoint.pk,
        "prompt": prompt.pk,
        "dataset": experiment.dataset_id,
        "experiment": experiment.pk,
        "sweep": sweep.pk,
        "run": run.pk,
    }
    world.users = {"owner": alice, "editor": bob, "viewer": carol, "outsider": charlie}
    _, world.keys["key_own"] = create_api_key(alice, "own", project)
    _, world.keys["key_other"] = create_api_key(alice, "other", zeta)
    revoked, world.keys["key_revoked"] = create_api_key(alice, "revoked")
    revoke_api_key(revoked)
    expired, world.keys["key_expired"] = create_api_key(alice, "expired")
    expired.expires_at = timezone.now() - timedelta(seconds=1)
    expired.save()
    return world


def client_as(world: World, principal: str) -> APIClient:
    client = APIClient()
    if principal in world.users:
        token = RefreshToken.for_user(world.users[principal]).access_token
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    elif principal == "key_other":  # both header spellings are in use
        client.credentials(HTTP_X_API_KEY=world.keys[principal])
    elif principal.startswith("key_"):
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {world.keys[principal]}")
    return client
