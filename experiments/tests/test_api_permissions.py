"""The permission matrix: every resource and action, as every kind of caller,
over the API's real request handling. Non-members get 404 (no existence
leak), viewers 403 on writes, anonymous and revoked or expired keys 401."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from experiments.models import Sweep
from experiments.services.promotions import promote_config
from experiments.tests.api_helpers import build_world, client_as
from experiments.tests.engine_helpers import extraction_spec

pytestmark = pytest.mark.django_db

PRINCIPALS = ["owner", "editor", "viewer", "outsider", "anonymous", "key_own",
              "key_other", "key_revoked", "key_expired"]  # fmt: skip
OK = "ok"
NO_AUTH = {"anonymous": 401, "key_revoked": 401, "key_expired": 401}
EXPECT = {
    # Listing: everyone signed in gets 200, but only sees their projects' rows.
    "list": dict.fromkeys(
        ["owner", "editor", "viewer", "outsider", "key_own", "key_other"], OK
    ),
    "read": {
        **dict.fromkeys(["owner", "editor", "viewer", "key_own"], OK),
        "outsider": 404,
        "key_other": 404,
    },
    # Creating in a project you cannot see: its id is simply not valid.
    "create": {
        "owner": OK,
        "editor": OK,
        "viewer": 403,
        "outsider": 400,
        "key_own": OK,
        "key_other": 400,
    },
    "write": {
        "owner": OK,
        "editor": OK,
        "viewer": 403,
        "outsider": 404,
        "key_own": OK,
        "key_other": 404,
    },
    "owner": {
        "owner": OK,
        "editor": 403,
        "viewer": 403,
        "outsider": 404,
        "key_own": OK,
        "key_other": 404,
    },
    # The spec names its project: hidden projects are 404, other keys 403.
    "spec": {
        "owner": OK,
        "editor": OK,
        "viewer": 403,
        "outsider": 404,
        "key_own": OK,
        "key_other": 403,
    },
    "any": dict.fromkeys(
        ["owner", "editor", "viewer", "outsider", "key_own", "key_other"], OK
    ),
    # A key limited to a project cannot make projects.
    "unlimited": {
        "owner": OK,
        "editor": OK,
        "viewer": OK,
        "outsider": OK,
        "key_own": 403,
        "key_other": 403,
    },
    "key": {
        "owner": OK,
        "editor": OK,
        "viewer": OK,
        "outsider": 400,
        "key_own": OK,
        "key_other": 400,
    },
}


def upload():
    content = b'{"input": {"passage": "Grace Hopper in Arlington."}}\n'
    return {"file": SimpleUploadedFile("more.jsonl", content), "mode": "append"}


def pause(world):
    Sweep.objects.filter(pk=world.ids["sweep"]).update(status="paused")


def two_configs(world):
    hashes = Sweep.objects.get(pk=world.ids["sweep"]).runs.values_list(
        "config_hash", flat=True
    )
    world.ids["configs"] = ",".join(sorted(set(hashes))[:2])


def one_config(world):
    run = Sweep.objects.get(pk=world.ids["sweep"]).runs.order_by("-id").first()
    world.ids["config"] = run.config_hash


def finished(world):
    """The world's sweep completed; ``config`` its config with a done run."""
    sweep = Sweep.objects.get(pk=world.ids["sweep"])
    Sweep.objects.filter(pk=sweep.pk).update(status="completed")
    world.ids["config"] = sweep.runs.filter(status="done").first().config_hash


def promoted(world):
    finished(world)
    sweep = Sweep.objects.get(pk=world.ids["sweep"])
    promotion = promote_config(sweep, world.ids["config"], "production")
    world.ids["promotion"] = promotion.pk


SPEC = extraction_spec("http://127.0.0.1:9/v1", n_items=1, name="from-api")
# name, method, path, body, kind, success status, visible-in-list id key, setup
ACTIONS = [
    ("projects.list", "get", "/api/projects/", None, "list", 200, "project"),
    ("projects.create", "post", "/api/projects/", {"name": "new"}, "unlimited", 201),
    ("projects.get", "get", "/api/projects/{project}/", None, "read", 200),
    ("projects.update", "patch", "/api/projects/{project}/", {"description": "d"},
     "owner", 200),
    ("projects.delete", "delete", "/api/projects/{project}/", None, "owner", 204),
    ("members.list", "get", "/api/projects/{project}/members/", None, "read", 200),
    ("members.set", "post", "/api/projects/{project}/members/",
     {"username": "charlie", "role": "viewer"}, "owner", 200),
    ("members.remove", "delete", "/api/projects/{project}/members/carol/", None,
     "owner", 204),
    ("endpoints.list", "get", "/api/endpoints/", None, "list", 200, "endpoint"),
    ("endpoints.get", "get", "/api/endpoints/{endpoint}/", None, "read", 200),
    ("endpoints.create", "post", "/api/endpoints/",
     {"project": "{project}", "name": "e2", "base_url": "http://127.0.0.1:9/v1"},
     "create", 201),
    ("endpoints.update", "patch", "/api/endpoints/{endpoint}/",
     {"max_concurrency": 3}, "write", 200),
    ("endpoints.test", "post", "/api/endpoints/{endpoint}/test/", None, "write", 200),
    ("endpoints.delete", "delete", "/api/endpoints/{endpoint}/", None, "owner", 204),
    ("prompts.list", "get", "/api/prompts/", None, "list", 200, "prompt"),
    ("prompts.get", "get", "/api/prompts/{prompt}/", None, "read", 200),
    ("prompts.create", "post", "/api/prompts/",
     {"project": "{project}", "name": "p2",
      "messages": [{"role": "user", "content": "{{ passage }}"}]}, "create", 201),
    ("prompts.update", "patch", "/api/prompts/{prompt}/",
     {"messages": [{"role": "user", "content": "v3 {{ passage }}"}]}, "write", 200),
    ("prompts.versions", "get", "/api/prompts/{prompt}/versions/", None, "read", 200),
    ("prompts.diff", "get", "/api/prompts/{prompt}/versions/1/diff/2/", None,
     "read", 200),
    ("prompts.delete", "delete", "/api/prompts/{prompt}/", None, "owner", 204),
    ("datasets.list", "get", "/api/datasets/", None, "list", 200, "dataset"),
    ("datasets.get", "get", "/api/datasets/{dataset}/", None, "read", 200),
    ("datasets.create", "post", "/api/datasets/", {"project": "{project}",
     "name": "d2"}, "create", 201),
    ("datasets.update", "patch", "/api/datasets/{dataset}/", {"description": "d"},
     "write", 200),
    ("datasets.items", "get", "/api/datasets/{dataset}/items/", None, "read", 200),
    ("datasets.import", "post", "/api/datasets/{dataset}/import/", upload, "write",
     200),
    ("datasets.export", "get", "/api/datasets/{dataset}/export/?format=csv", None,
     "read", 200),
    ("datasets.delete", "delete", "/api/datasets/{spare_dataset}/", None, "owner",
     204),
    ("experiments.list", "get", "/api/experiments/", None, "list", 200,
     "experiment"),
    ("experiments.get", "get", "/api/experiments/{experiment}/", None, "read", 200),
    ("experiments.create", "post", "/api/experiments/", SPEC, "spec", 201),
    ("experiments.validate", "post", "/api/experiments/validate/", SPEC, "any", 200),
    ("experiments.export", "get", "/api/experiments/{experiment}/export/", None,
     "read", 200),
    ("experiments.sweeps", "get", "/api/experiments/{experiment}/sweeps/", None,
     "read", 200),
    ("experiments.start", "post", "/api/experiments/{experiment}/sweeps/",
     {"no_cache": True}, "write", 202),
    ("experiments.delete", "delete", "/api/experiments/{experiment}/", None, "owner",
     204),
    ("sweeps.list", "get", "/api/sweeps/", None, "list", 200, "sweep"),
    ("sweeps.get", "get", "/api/sweeps/{sweep}/", None, "read", 200),
    ("sweeps.pause", "post", "/api/sweeps/{sweep}/pause/", None, "write", 200),
    ("sweeps.resume", "post", "/api/sweeps/{sweep}/resume/", None, "write", 200,
     None, pause),
    ("sweeps.cancel", "post", "/api/sweeps/{sweep}/cancel/", None, "write", 200),
    ("sweeps.steer", "post", "/api/sweeps/{sweep}/steer/", {"concurrency": 3},
     "write", 200),
    ("sweeps.runs", "get", "/api/sweeps/{sweep}/runs/", None, "read", 200),
    ("sweeps.leaderboard", "get", "/api/sweeps/{sweep}/leaderboard/", None, "read",
     200),
    ("sweeps.leaderboard.filtered", "get",
     "/api/sweeps/{sweep}/leaderboard/?scorer=json_valid&sample=0", None, "read", 200),
    ("sweeps.leaderboard.csv", "get", "/api/sweeps/{sweep}/leaderboard/?format=csv",
     None, "read", 200),
    ("sweeps.config_spec", "get", "/api/sweeps/{sweep}/config-spec/", None, "read",
     200),
    ("sweeps.config_spec.chosen", "get",
     "/api/sweeps/{sweep}/config-spec/?config={config}", None, "read", 200, None,
     one_config),
    ("sweeps.pareto", "get", "/api/sweeps/{sweep}/pareto/", None, "read", 200),
    ("sweeps.marginals", "get", "/api/sweeps/{sweep}/marginals/", None, "read", 200),
    ("sweeps.heatmap", "get", "/api/sweeps/{sweep}/heatmap/?x=prompt&y=model", None,
     "read", 200),
    ("sweeps.compare", "get", "/api/sweeps/{sweep}/compare/?configs={configs}", None,
     "read", 200, None, two_configs),
    ("sweeps.versus", "get", "/api/sweeps/{sweep}/versus/{sweep}/", None, "read", 200),
    ("sweeps.export", "get", "/api/sweeps/{sweep}/export/?format=jsonl", None,
     "read", 200),
    ("sweeps.promote", "post", "/api/sweeps/{sweep}/promote/",
     {"config": "{config}", "label": "production"}, "write", 201, None, finished),
    ("experiments.promotions", "get",
     "/api/experiments/{experiment}/promotions/?label=production", None, "read",
     200, None, promoted),
    ("experiments.rollback", "post", "/api/experiments/{experiment}/rollback/",
     {"label": "staging", "promotion": "{promotion}"}, "write", 201, None, promoted),
    ("deployments.get", "get", "/api/deployments/acme/engine-test/production/",
     None, "read", 200, None, promoted),
    ("runs.get", "get", "/api/runs/{run}/", None, "read", 200),
    ("scorers.list", "get", "/api/scorers/", None, "any", 200),
    ("cache.stats", "get", "/api/cache/stats/", None, "list", 200),
    ("cache.purge", "post", "/api/cache/purge/", {"project": "{project}",
     "all": True}, "owner", 200),
    ("api-keys.list", "get", "/api/api-keys/", None, "any", 200),
    ("api-keys.create", "post", "/api/api-keys/", {"name": "k",
     "project": "{project}"}, "key", 201),
]  # fmt: skip


def _fill(value, ids: dict):
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
            return ids[value[1:-1]]
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.fixture
def world(alice, bob, carol, charlie, project):
    world = build_world(alice, bob, carol, charlie, project)
    from experiments.models import Dataset

    spare = Dataset.objects.create(project=project, name="spare")
    world.ids["spare_dataset"] = spare.pk
    return world


CASES = [(a, p) for a in ACTIONS for p in PRINCIPALS]


@pytest.mark.parametrize(
    ("action", "principal"), CASES, ids=[f"{a[0]}-{p}" for a, p in CASES]
)
def test_each_principal_gets_the_expected_answer_to_each_action(
    world, action, principal
):
    name, method, path, body, kind, success, *rest = action
    visible_key = rest[0] if rest else None
    if len(rest) > 1:
        rest[1](world)
    expected = EXPECT[kind].get(principal) or NO_AUTH[principal]
    client = client_as(world, principal)
    url = path.format(**world.ids)
    if callable(body):
        response = getattr(client, method)(url, body(), format="multipart")
    else:
        data = None if body is None else _fill(body, world.ids)
        response = getattr(client, method)(url, data, format="json")
    wanted = success if expected == OK else expected
    assert response.status_code == wanted, (name, principal, response.content[:300])
    if expected == OK and visible_key and method == "get":
        ids = [row["id"] for row in response.json()["results"]]
        sees = principal not in ("outsider", "key_other")
        assert (world.ids[visible_key] in ids) == sees, (name, principal)
