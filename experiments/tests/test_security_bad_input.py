"""Input a caller controls never ends in a server error, or in Django's HTML
page: browsable pages for every role, bodies nested too deep, numbers out of
range, bodies too big or unreadable, bad ids in paths and filters each answer
a 4xx in the API's one error shape. Every route of the router is walked."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from experiments.models import (
    ApiKey,
    Dataset,
    DatasetItem,
    Endpoint,
    Experiment,
    Project,
    Prompt,
    Run,
    Sweep,
)
from experiments.tests import route_walk
from experiments.tests.api_helpers import build_world, client_as

pytestmark = pytest.mark.django_db

DEEP = "[" * 10_000 + "]" * 10_000
BAD_BODIES = {
    "deep lists": DEEP,
    "deep inside an object": '{"name": "x", "spec": ' + DEEP + "}",
    "nested past the limit": "[" * 65 + "]" * 65,
    "float out of range": '{"name": 1e400, "project": -1e400}',
    "integer past conversion": '{"project": 1' + "0" * 5000 + "}",
    "NaN": '{"project": NaN}',
    "not json": "{not json",
    "not utf-8": b'{"name": "\xff\xfe"}',
}
# Routes that read their body: these must refuse it.
READS_BODY = ["/api/projects/", "/api/endpoints/", "/api/prompts/", "/api/datasets/",
              "/api/experiments/", "/api/experiments/validate/", "/api/cache/purge/",
              "/api/api-keys/"]  # fmt: skip
HTML = {"HTTP_ACCEPT": "text/html"}


@pytest.fixture
def world(alice, bob, carol, charlie, project):
    world = build_world(alice, bob, carol, charlie, project)
    world.own_ids = {
        Project: project.pk,
        Endpoint: world.ids["endpoint"],
        Prompt: world.ids["prompt"],
        Dataset: world.ids["dataset"],
        DatasetItem: DatasetItem.objects.filter(dataset_id=world.ids["dataset"])
        .first()
        .pk,
        Experiment: world.ids["experiment"],
        Sweep: world.ids["sweep"],
        Run: world.ids["run"],
        ApiKey: ApiKey.objects.get(name="own").pk,
    }
    return world


def assert_error_shape(response, *codes: int) -> dict:
    assert response.status_code in codes, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response.content[
        :300
    ]
    body = response.json()
    assert set(body) == {"detail", "errors"} and body["detail"], body
    return body


def assert_no_server_error(response) -> None:
    assert response.status_code < 500, response.getvalue()[:300]
    if response.status_code >= 400:
        assert_error_shape(response, response.status_code)


@pytest.mark.parametrize("principal", ["viewer", "editor", "owner", "key_own"])
def test_every_browsable_page_renders_for_every_role(world, principal):
    # The browsable API asks for the forms of actions the caller may not do.
    client = client_as(world, principal)
    for regex, viewset in route_walk.routes():
        url = route_walk.url_for(regex, viewset, world.own_ids)
        response = client.get(url, **HTML)
        assert response.status_code < 500, url
        if response.status_code == 200 and not response.has_header(
            "Content-Disposition"
        ):
            assert response["Content-Type"].startswith("text/html"), url


def test_a_viewer_gets_a_403_in_the_api_shape_when_writing(world):
    client = client_as(world, "viewer")
    url = f"/api/endpoints/{world.ids['endpoint']}/"
    body = assert_error_shape(client.patch(url, {"name": "x"}), 403)
    assert "editor" in body["detail"]


@pytest.mark.parametrize("name", list(BAD_BODIES))
def test_bodies_that_cannot_be_taken_are_refused_in_the_api_shape(world, name):
    client = client_as(world, "owner")
    body = BAD_BODIES[name]
    for url in READS_BODY:
        response = client.post(url, data=body, content_type="application/json")
        assert_error_shape(response, 400)
    for method in ("post", "put", "patch"):
        for regex, viewset in route_walk.routes(method):
            url = route_walk.url_for(regex, viewset, world.own_ids)
            send = getattr(client, method)
            assert_no_server_error(
                send(url, data=body, content_type="application/json")
            )


def test_a_deeply_nested_json_form_field_is_refused(world):
    client = client_as(world, "owner")
    data = {"project": world.ids["project"], "name": "deep", "kind": "openai",
            "base_url": "http://127.0.0.1:9/v1", "prices": DEEP}  # fmt: skip
    response = client.post("/api/endpoints/", data, format="multipart")
    assert_error_shape(response, 400)
    assert not Endpoint.objects.filter(name="deep").exists()


@pytest.mark.parametrize("kind", ["json", "form", "multipart"])
def test_a_body_over_the_upload_limit_is_a_413_in_the_api_shape(world, settings, kind):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = client_as(world, "owner")
    data = {"project": world.ids["project"], "name": "big", "description": "a" * 2000}
    if kind == "json":
        response = client.post(
            "/api/datasets/", json.dumps(data), content_type="application/json"
        )
    elif kind == "form":
        response = client.generic(
            "POST",
            "/api/datasets/",
            "&".join(f"{k}={v}" for k, v in data.items()),
            "application/x-www-form-urlencoded",
        )
    else:
        response = client.post("/api/datasets/", data, format="multipart")
    body = assert_error_shape(response, 413)
    assert "1000 bytes" in body["detail"]


def test_a_dataset_file_over_the_upload_limit_is_a_413_and_imports_nothing(
    world, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = client_as(world, "owner")
    dataset = world.ids["dataset"]
    before = DatasetItem.objects.filter(dataset_id=dataset).count()
    rows = "".join(f'{{"input": {{"a": "{i:040d}"}}}}\n' for i in range(100))
    upload = SimpleUploadedFile("big.jsonl", rows.encode())
    response = client.post(
        f"/api/datasets/{dataset}/import/", {"file": upload}, format="multipart"
    )
    body = assert_error_shape(response, 413)
    assert "1000 bytes" in body["detail"]
    assert DatasetItem.objects.filter(dataset_id=dataset).count() == before


def test_too_many_form_fields_is_a_400_in_the_api_shape(world, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    client = client_as(world, "owner")
    data = {f"field{i}": "x" for i in range(20)}
    response = client.post("/api/datasets/", data, format="multipart")
    assert_error_shape(response, 400)


def test_a_request_django_refuses_before_the_api_answers_in_the_api_shape(world):
    client = client_as(world, "owner")
    response = client.get("/api/projects/", HTTP_HOST="not-an-allowed-host.invalid")
    assert_error_shape(response, 400)


BAD_FILES = {
    "deep.jsonl": '{"input": {"a": ' + DEEP + "}}\n",
    "inf.jsonl": '{"input": {"a": 1e400}}\n',
    "bigint.jsonl": '{"input": {"a": 1' + "0" * 5000 + "}}\n",
    "deep-expected.jsonl": '{"input": {"a": "x"}, "expected": ' + DEEP + "}\n",
}


@pytest.mark.parametrize("filename", list(BAD_FILES))
def test_a_dataset_file_with_unstorable_json_is_refused_by_line(world, filename):
    client = client_as(world, "owner")
    dataset = world.ids["dataset"]
    before = DatasetItem.objects.filter(dataset_id=dataset).count()
    upload = SimpleUploadedFile(filename, BAD_FILES[filename].encode())
    response = client.post(
        f"/api/datasets/{dataset}/import/", {"file": upload}, format="multipart"
    )
    body = assert_error_shape(response, 400)
    assert body["errors"][0]["path"] == "line 1"
    assert DatasetItem.objects.filter(dataset_id=dataset).count() == before


@pytest.mark.parametrize("cell", [DEEP, "1e400", "-1e400", "1" + "0" * 5000])
def test_a_csv_cell_that_is_not_storable_json_stays_text(world, cell):
    client = client_as(world, "owner")
    dataset = world.ids["dataset"]
    upload = SimpleUploadedFile("cells.csv", f"a,expected\nx,{cell}\n".encode())
    response = client.post(
        f"/api/datasets/{dataset}/import/",
        {"file": upload, "mode": "replace"},
        format="multipart",
    )
    assert response.status_code == 200, response.content[:300]
    item = DatasetItem.objects.get(dataset_id=dataset, archived=False)
    assert item.expected == cell
    exported = client.get(f"/api/datasets/{dataset}/export/?format=jsonl")
    assert exported.status_code == 200


@pytest.mark.parametrize("bad_id", [str(10**30), "1" + "0" * 5000])
def test_ids_past_any_range_in_paths_are_not_found(world, bad_id):
    client = client_as(world, "owner")
    for regex, viewset in route_walk.routes():
        if route_walk.is_list(regex) and "sweep_pk" not in regex:
            continue
        url = route_walk.url_for(regex, viewset, world.own_ids, bad_id)
        assert_error_shape(client.get(url), 404)
    prompt = world.ids["prompt"]
    assert_error_shape(client.get(f"/api/prompts/{prompt}/versions/{bad_id}/"), 404)
    diff = f"/api/prompts/{prompt}/versions/1/diff/{bad_id}/"
    assert_error_shape(client.get(diff), 404)


@pytest.mark.parametrize(
    "value", ["1e400", "-1", str(10**30), "1" + "0" * 5000, "x", "NaN"]
)
def test_bad_filter_values_are_refused_or_ignored_never_a_server_error(world, value):
    client = client_as(world, "owner")
    for regex, viewset in route_walk.routes():
        if not route_walk.is_list(regex):
            continue
        url = route_walk.url_for(regex, viewset, world.own_ids)
        for name in route_walk.filter_names(viewset):
            for headers in ({}, HTML):
                response = client.get(f"{url}?{name}={value}", **headers)
                if headers:
                    assert response.status_code < 500, (url, name)
                else:
                    assert_no_server_error(response)
