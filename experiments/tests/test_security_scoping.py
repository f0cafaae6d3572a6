"""No cross-project leaks through the API, in JSON or the browsable HTML: every
GET route of the router (walked, so new endpoints are covered) is requested by
callers outside a "secret" project, with its ids in the path and in every
filter, and with ids that do not exist. Nothing of the secret project may
show, and its ids must answer exactly like missing ones."""

from __future__ import annotations

import re

import pytest

from experiments.engine import store
from experiments.models import (
    ApiKey,
    Dataset,
    DatasetItem,
    Endpoint,
    Experiment,
    Membership,
    Project,
    Prompt,
    PromptVersion,
    Run,
    Sweep,
)
from experiments.services.access import create_api_key
from experiments.services.experiments import create_experiment
from experiments.services.sweeps import create_sweep
from experiments.tests import route_walk
from experiments.tests.api_helpers import build_world, client_as
from experiments.tests.engine_helpers import extraction_spec

pytestmark = pytest.mark.django_db

SECRETS = [
    "secret-project-xq",
    "secret-experiment-xq",
    "secret-dataset-xq",
    "secret-item-xq",
    "secret-prompt-xq",
    "secret-endpoint-xq",
    "secret-host-xq",
    "secret-apikey-xq",
]
# Callers who may not see the secret project: a member of no project, a
# viewer of another project, and keys of its owner limited to other projects.
OUTSIDERS = ["outsider", "viewer", "key_own", "key_other"]
MISSING = 987654321
HTML = {"HTTP_ACCEPT": "text/html"}
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def world(alice, bob, carol, charlie, project):
    world = build_world(alice, bob, carol, charlie, project)
    secret = Project.objects.create(name="secret-project-xq")
    Membership.objects.create(project=secret, user=alice, role="owner")
    spec = extraction_spec(
        "http://secret-host-xq.invalid/v1",
        project="secret-project-xq",
        name="secret-experiment-xq",
        endpoints=[
            {
                "name": "secret-endpoint-xq",
                "base_url": "http://secret-host-xq.invalid/v1",
            }
        ],
        dataset={
            "items": [{"input": {"passage": f"secret-item-xq {i}"}} for i in range(2)]
        },
        prompts=[{"name": "secret-prompt-xq", "template": "{{ passage }}"}],
        models=[{"endpoint": "secret-endpoint-xq", "model": "m"}],
        params={},
        scorers=[{"type": "json_valid"}],
    )
    experiment, _ = create_experiment(spec, alice)
    Dataset.objects.filter(pk=experiment.dataset_id).update(name="secret-dataset-xq")
    sweep = create_sweep(experiment, alice)
    store.plan_runs(store.load_context(sweep.pk))
    key, _ = create_api_key(alice, "secret-apikey-xq", secret)
    world.secret_ids = {
        Project: secret.pk,
        Endpoint: secret.endpoints.get().pk,
        Prompt: secret.prompts.get().pk,
        PromptVersion: PromptVersion.objects.get(prompt__project=secret).pk,
        Dataset: experiment.dataset_id,
        DatasetItem: experiment.dataset.items.first().pk,
        Experiment: experiment.pk,
        Sweep: sweep.pk,
        Run: sweep.runs.first().pk,
        ApiKey: key.pk,
    }
    acme = world.ids
    world.own_ids = {
        Project: acme["project"],
        Endpoint: acme["endpoint"],
        Prompt: acme["prompt"],
        PromptVersion: PromptVersion.objects.filter(prompt_id=acme["prompt"])
        .first()
        .pk,
        Dataset: acme["dataset"],
        DatasetItem: DatasetItem.objects.filter(dataset_id=acme["dataset"]).first().pk,
        Experiment: acme["experiment"],
        Sweep: acme["sweep"],
        Run: acme["run"],
        ApiKey: ApiKey.objects.filter(name="own").get().pk,
    }
    return world


def requests_of(world) -> list[tuple[str, str, str]]:
    """(url with the secret ids, the same with missing ids, url with the
    caller's own ids) for every route, and every id filter of list routes."""
    out = []
    for regex, viewset in route_walk.routes():
        urls = (
            route_walk.url_for(regex, viewset, world.secret_ids),
            route_walk.url_for(regex, viewset, world.secret_ids, str(MISSING)),
            route_walk.url_for(regex, viewset, world.own_ids),
        )
        out.append(urls)
        if not route_walk.is_list(regex):
            continue
        for name, model in route_walk.id_filters(viewset).items():
            assert model in world.secret_ids, f"add an id of {model} for ?{name}"
            own = urls[2]
            out.append(
                (
                    f"{own}?{name}={world.secret_ids[model]}",
                    f"{own}?{name}={MISSING}",
                    f"{own}?{name}={world.own_ids[model]}",
                )
            )
    return out


def normalized(body: str, secret_url: str, missing_url: str) -> str:
    """``body`` with the ids that differ between the two urls (in links, form
    values) made equal, and the per-response CSRF tokens blanked."""
    parts = re.split(r"[/?=]", secret_url), re.split(r"[/?=]", missing_url)
    for token in {a for a, b in zip(*parts, strict=True) if a != b} | {str(MISSING)}:
        body = re.sub(rf"(?<=[/=\"]){token}(?=[/&\"'\s<]|$)", "ID", body)
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", body)
    return re.sub(r'"?csrfToken"?: "[^"]+"', "CSRF", body)


def text(response) -> str:
    return response.getvalue().decode()


# --- tests --------------------------------------------------------------------


def test_the_route_walk_reaches_the_secret_project_as_its_owner(world):
    # The walk's ids are right: the owner does see every secret name.
    client = client_as(world, "owner")
    seen = ""
    for secret_url, _, _ in requests_of(world):
        for headers in (JSON, HTML):
            seen += text(client.get(secret_url, **headers))
    for name in SECRETS[:-1]:  # the API key's name is alice's alone to list
        assert name in seen, name


@pytest.mark.parametrize("principal", OUTSIDERS)
def test_outsiders_see_no_name_of_another_project_in_any_page(world, principal):
    client = client_as(world, principal)
    for urls in requests_of(world):
        for url in urls:
            for headers in (JSON, HTML):
                response = client.get(url, **headers)
                assert response.status_code < 500, (url, headers)
                body = text(response)
                leaked = [name for name in SECRETS if name in body]
                assert not leaked, (principal, url, headers, leaked)


@pytest.mark.parametrize("principal", OUTSIDERS)
def test_ids_of_another_project_answer_like_ids_that_do_not_exist(world, principal):
    client = client_as(world, principal)
    for secret_url, missing_url, _ in requests_of(world):
        for headers in (JSON, HTML):
            other = client.get(secret_url, **headers)
            missing = client.get(missing_url, **headers)
            assert other.status_code == missing.status_code, (secret_url, headers)
            assert normalized(text(other), secret_url, missing_url) == normalized(
                text(missing), secret_url, missing_url
            ), (principal, secret_url, headers)


def test_run_filters_take_an_item_id_not_a_list_of_every_item(world):
    # A choice list would render every dataset item of the instance.
    client = client_as(world, "owner")
    page = client.get(f"/api/sweeps/{world.ids['sweep']}/runs/", **HTML)
    html = page.content.decode()
    assert page.status_code == 200
    item_field = re.search(r'<(input|select)[^>]*name="item"[^>]*>', html)
    assert item_field is not None, html
    assert item_field.group(1) == "input" and 'type="number"' in item_field.group(0)


def test_an_item_filter_past_the_id_range_is_refused_not_a_server_error(world):
    client = client_as(world, "owner")
    response = client.get(f"/api/sweeps/{world.ids['sweep']}/runs/?item={10**30}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "item"
