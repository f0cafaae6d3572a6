"""What the API does with each resource, beyond who may call it."""

from __future__ import annotations

import csv
import io
import json
import logging

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from experiments.models import CachedResponse, Endpoint, Run, Sweep
from experiments.tests.api_helpers import SECRET, build_world, client_as
from experiments.tests.engine_helpers import extraction_spec

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(alice, bob, carol, charlie, project):
    return build_world(alice, bob, carol, charlie, project)


@pytest.fixture
def owner(world):
    return client_as(world, "owner")


def test_endpoint_keys_are_write_only_and_never_leak(world, owner, caplog):
    caplog.set_level(logging.DEBUG)
    body = {"project": world.project.pk, "name": "openai", "api_key": SECRET,
            "base_url": "http://127.0.0.1:9/v1"}  # fmt: skip
    created = owner.post("/api/endpoints/", body)
    assert created.status_code == 201 and created.json()["api_key_set"] is True
    pk = created.json()["id"]
    seen = [
        created,
        owner.get("/api/endpoints/"),
        owner.get(f"/api/endpoints/{pk}/"),
        owner.patch(f"/api/endpoints/{pk}/", {"rpm": 60}),
        owner.post(f"/api/endpoints/{pk}/test/"),
        owner.patch(f"/api/endpoints/{pk}/", {"base_url": "ftp://x", "api_key": "k"}),
        owner.get(f"/api/experiments/{world.ids['experiment']}/export/"),
        owner.get(f"/api/sweeps/{world.ids['sweep']}/export/?format=csv"),
        owner.get(f"/api/runs/{world.ids['run']}/"),
    ]
    for response in seen:
        content = (
            b"".join(response.streaming_content)
            if response.streaming
            else response.content
        )
        assert SECRET not in content.decode()
    assert seen[4].json()["ok"] is False  # nothing listens on port 9
    assert seen[5].status_code == 400 and seen[5].json()["errors"][0]["path"] == (
        "base_url"
    )
    assert Endpoint.objects.get(pk=pk).api_key == SECRET  # kept when not sent
    with connection.cursor() as cursor:
        cursor.execute("SELECT api_key FROM experiments_endpoint WHERE id = %s", [pk])
        assert SECRET not in cursor.fetchone()[0]  # encrypted at rest
    assert SECRET not in caplog.text
    cleared = owner.patch(f"/api/endpoints/{pk}/", {"api_key": ""})
    assert cleared.json()["api_key_set"] is False


def test_unknown_adapter_kind_is_refused(world, owner):
    body = {"project": world.project.pk, "name": "x", "kind": "carrier-pigeon",
            "base_url": "http://127.0.0.1:9/v1"}  # fmt: skip
    response = owner.post("/api/endpoints/", body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "kind"


def test_prompt_edits_add_versions_and_diff(world, owner):
    url = f"/api/prompts/{world.ids['prompt']}/"
    assert owner.get(url).json()["version"] == 2
    same = owner.get(url).json()["messages"]
    assert owner.patch(url, {"messages": same}).json()["version"] == 2
    changed = [{"role": "user", "content": "Find people: {{ passage }}"}]
    assert owner.patch(url, {"messages": changed}).json()["version"] == 3
    versions = owner.get(f"{url}versions/").json()["results"]
    assert [v["number"] for v in versions] == [3, 2, 1]
    diff = owner.get(f"{url}versions/2/diff/3/").json()["diff"]
    assert "-v2 {{ passage }}" in diff and "+Find people: {{ passage }}" in diff
    assert owner.get(f"{url}versions/9/diff/3/").status_code == 404
    broken = owner.patch(url, {"messages": [{"role": "user", "content": "{{ x"}]})
    assert broken.status_code == 400
    assert broken.json()["errors"][0]["path"] == "messages[0].content"


def test_dataset_import_is_all_or_nothing_and_exports(world, owner):
    url = f"/api/datasets/{world.ids['dataset']}/"
    before = owner.get(url).json()["items"]
    bad = b'{"input": {"passage": "ok"}}\nnot json\n{"expected": 1}\n'
    response = owner.post(
        f"{url}import/",
        {"file": SimpleUploadedFile("x.jsonl", bad)},
        format="multipart",
    )
    assert response.status_code == 400
    lines = [e["path"] for e in response.json()["errors"]]
    assert lines == ["line 2", "line 3"]
    assert owner.get(url).json()["items"] == before
    good = "passage,expected\nGrace Hopper in Arlington,\nAlan Turing,x\n"
    added = owner.post(
        f"{url}import/",
        {"file": SimpleUploadedFile("more.csv", good.encode()), "mode": "append"},
        format="multipart",
    )
    assert added.status_code == 200 and added.json()["added"] == 2
    exported = owner.get(f"{url}export/?format=jsonl")
    assert exported["Content-Type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in exported.content.decode().splitlines()]
    assert len(rows) == before + 2 and rows[-1]["input"] == {"passage": "Alan Turing"}
    csv_rows = list(csv.reader(io.StringIO(owner.get(f"{url}export/?format=csv")
                                           .content.decode())))  # fmt: skip
    assert len(csv_rows) == before + 3  # with the header
    assert owner.get(f"{url}export/?format=xml").status_code == 400
    items = owner.get(f"{url}items/?page_size=1").json()
    assert items["count"] == before + 2 and len(items["results"]) == 1


def test_dataset_items_search_their_input_expected_and_tags(world, owner):
    url = f"/api/datasets/{world.ids['dataset']}/"
    rows = [
        {"input": {"passage": "Grace HOPPER in Arlington"}, "expected": None},
        {"input": {"passage": "Alan Turing"}, "expected": {"people": ["Hopper"]}},
        {"input": {"passage": "Café Müller"}, "tags": ["dance"]},
        {"input": {"passage": 'she said "hi"', "topic": "greeting"}},
        {"input": {"passage": "nothing here"}, "tags": ["misc"]},
        {"input": {"passage": "x"}, "expected": "éclair"},
    ]
    body = "\n".join(json.dumps(row) for row in rows).encode()
    replaced = owner.post(
        f"{url}import/",
        {"file": SimpleUploadedFile("new.jsonl", body), "mode": "replace"},
        format="multipart",
    )
    assert replaced.status_code == 200 and replaced.json()["added"] == 6

    def found(text: str, **extra) -> list[str]:
        response = owner.get(f"{url}items/", {"search": text, **extra})
        assert response.status_code == 200
        return [item["input"]["passage"] for item in response.json()["results"]]

    assert found("hopper") == ["Grace HOPPER in Arlington", "Alan Turing"]
    assert found("café") == ["Café Müller"]
    assert found("CAFÉ MÜLLER") == ["Café Müller"]  # any script's case
    assert found("ÉCLAIR") == ["x"]  # its expected output
    assert found('"hi"') == ['she said "hi"']
    assert found("TOPIC") == ['she said "hi"']  # an input's key
    assert found("dance") == ["Café Müller"]
    assert found("zebra") == []
    assert len(found("  ")) == 6  # blank: every item
    paged = owner.get(f"{url}items/", {"search": "in", "page_size": 2}).json()
    assert paged["count"] == 4 and len(paged["results"]) == 2


def test_deleting_a_dataset_in_use_is_a_conflict(world, owner):
    response = owner.delete(f"/api/datasets/{world.ids['dataset']}/")
    assert response.status_code == 409 and "in use" in response.json()["detail"]


def test_validate_and_create_use_the_cli_paths(world, owner):
    spec = extraction_spec("http://127.0.0.1:9/v1", n_items=2, name="api-made")
    spec["models"].append({"endpoint": "nowhere", "model": "m"})
    checked = owner.post("/api/experiments/validate/", spec).json()
    assert checked["valid"] is False
    assert checked["errors"][0]["path"] == "models[2].endpoint"
    refused = owner.post("/api/experiments/", spec)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["path"] == "models[2].endpoint"
    spec["models"].pop()
    spec.pop("endpoints")  # models may name endpoints stored in the project
    checked = owner.post("/api/experiments/validate/", spec).json()
    assert checked["valid"] and checked["runs"] == 2 * 2 * 2
    assert checked["estimated_cost"] > 0
    created = owner.post("/api/experiments/", spec)
    assert created.status_code == 201
    assert created.json()["spec"] == spec  # as it was accepted
    exported = owner.get(f"/api/experiments/{created.json()['id']}/export/")
    assert yaml.safe_load(exported.content) == spec
    not_object = owner.post("/api/experiments/", [1, 2], format="json")
    assert not_object.status_code == 400


def test_start_and_steer_sweeps(world, owner):
    url = f"/api/experiments/{world.ids['experiment']}/sweeps/"
    bad = owner.post(url, {"strategy": {"type": "random", "budget": -1}})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["path"].startswith("strategy")
    started = owner.post(url, {"strategy": {"type": "random", "budget": 3, "seed": 1}})
    assert started.status_code == 202
    sweep = started.json()
    assert sweep["status"] == "queued" and sweep["strategy"]["budget"] == 3
    steer = f"/api/sweeps/{sweep['id']}/"
    assert owner.post(f"{steer}steer/", {"concurrency": 2}).json()["concurrency"] == 2
    assert owner.post(f"{steer}steer/", {"concurrency": 0}).status_code == 400
    assert owner.post(f"{steer}pause/").json()["status"] == "paused"
    assert owner.post(f"{steer}pause/").status_code == 409
    assert owner.post(f"{steer}cancel/").json()["status"] == "cancelled"
    refused = owner.post(f"{steer}resume/")
    assert refused.status_code == 409 and "cancelled" in refused.json()["detail"]


def test_a_start_with_a_budget_is_refused_over_it_and_capped_within_it(world, owner):
    url = f"/api/experiments/{world.ids['experiment']}/sweeps/"
    before = Sweep.objects.count()
    over = owner.post(url, {"max_runs": 1, "max_calls": 1}, format="json")
    assert over.status_code == 400
    body = over.json()
    assert body["detail"].startswith("Refused: the sweep is over its budget (")
    assert "runs > max_runs 1" in body["detail"]
    assert "calls > max_calls 1" in body["detail"]
    assert body["errors"] == [] and set(body) == {"detail", "errors"}
    assert "Estimate: 8 runs, 8 calls, cost $" in body["detail"]  # over by what
    costly = owner.post(url, {"max_cost": 0}, format="json")
    assert costly.status_code == 400, costly.json()
    assert "estimated > max_cost $0.0000" in costly.json()["detail"]
    assert owner.post(url, {"max_cost": -1}, format="json").json()["errors"] == [
        {
            "path": "max_cost",
            "message": "Ensure this value is greater than or equal to 0.",
        }
    ]
    assert Sweep.objects.count() == before  # nothing was started
    within = owner.post(url, {"max_runs": 1000, "max_calls": 50}, format="json")
    assert within.status_code == 202
    sweep = Sweep.objects.get(pk=within.json()["id"])
    assert sweep.caps == {"max_calls": 50}  # the engine stops it there
    spend = owner.post(url, {"max_cost": 100.0}, format="json")
    assert Sweep.objects.get(pk=spend.json()["id"]).caps == {"max_cost": 100.0}
    plain = owner.post(url, {}, format="json")
    assert Sweep.objects.get(pk=plain.json()["id"]).caps == {}


def test_runs_filter_and_page_by_cursor(world, owner):
    sweep = Sweep.objects.get(pk=world.ids["sweep"])
    runs = list(sweep.runs.order_by("id"))
    Run.objects.filter(pk=runs[1].pk).update(status="failed", error_kind="http_500")
    Run.objects.filter(pk=runs[2].pk).update(status="done", score=0.9, cache_hit=True)
    url = f"/api/sweeps/{sweep.pk}/runs/"
    seen, page = [], owner.get(f"{url}?page_size=3").json()
    while True:
        seen += [r["id"] for r in page["results"]]
        if not page["next"]:
            break
        page = owner.get(page["next"]).json()
    assert seen == [r.pk for r in runs]

    def ids(query):
        return [r["id"] for r in owner.get(f"{url}?{query}").json()["results"]]

    assert ids("status=failed") == ids("error=true") == [runs[1].pk]
    assert ids("cache_hit=true") == ids("score_min=0.8") == [runs[2].pk]
    assert ids("score_min=0.4&score_max=0.6") == [runs[0].pk]
    assert ids(f"config_hash={runs[0].config_hash}")[0] == runs[0].pk
    assert owner.get(f"{url}?score_min=abc").status_code == 400
    assert owner.get("/api/sweeps/999999/runs/").status_code == 404
    detail = owner.get(f"/api/runs/{runs[0].pk}/").json()
    assert detail["scores"] == [{"scorer": "json_valid", "value": 1.0, "weight": 1.0,
                                 "detail": None, "error": ""}]  # fmt: skip
    assert detail["input"]["passage"].startswith("Ada Lovelace")


def test_leaderboard_and_export_have_every_run(world, owner):
    sweep = world.ids["sweep"]
    board = owner.get(f"/api/sweeps/{sweep}/leaderboard/").json()
    assert board[0]["rank"] == 1 and board[0]["score"] == 0.5
    planned = Sweep.objects.get(pk=sweep).runs.count()
    lines = owner.get(f"/api/sweeps/{sweep}/export/?format=jsonl")
    rows = [json.loads(x) for x in b"".join(lines.streaming_content).splitlines()]
    assert len(rows) == planned and rows[0]["scores"] == {"json_valid": 1.0}
    table = owner.get(f"/api/sweeps/{sweep}/export/?format=csv")
    text = b"".join(table.streaming_content).decode()
    records = list(csv.DictReader(io.StringIO(text)))
    assert len(records) == planned and records[0]["score:json_valid"] == "1.0"


def test_cache_stats_and_purge(world, owner):
    for n in range(3):
        CachedResponse.objects.create(
            scope=f"project:{world.project.pk}", key=f"k{n}", project=world.project,
            adapter="openai", endpoint_url="http://x/v1", model=f"m{n % 2}",
            request={}, response={}, hit_count=2, cost=0.01,
        )  # fmt: skip
    stats = owner.get(f"/api/cache/stats/?project={world.project.pk}").json()
    assert stats == [{"project": world.project.pk, "entries": 3, "hits": 6,
                      "calls_saved": 6, "cost_saved": 0.06}]  # fmt: skip
    purge = {"project": world.project.pk}
    assert owner.post("/api/cache/purge/", purge).status_code == 400
    editor = client_as(world, "editor")
    assert editor.post("/api/cache/purge/", {**purge, "all": True}).status_code == 403
    done = owner.post("/api/cache/purge/", {**purge, "model": "m0"})
    assert done.json() == {"deleted": 2}
    assert owner.post("/api/cache/purge/", {**purge, "all": True}).json() == {
        "deleted": 1
    }


def test_scorers_list_their_options(world, owner):
    scorers = {s["type"]: s for s in owner.get("/api/scorers/").json()}
    assert {"exact_match", "json_f1", "llm_judge"} <= set(scorers)
    assert "field" in scorers["json_f1"]["options"]


def test_members_are_managed_by_owners(world, owner):
    url = f"/api/projects/{world.project.pk}/members/"
    assert owner.post(url, {"username": "charlie", "role": "editor"}).status_code == 200
    assert {m["username"]: m["role"] for m in owner.get(url).json()}["charlie"] == (
        "editor"
    )
    assert owner.post(url, {"username": "nobody", "role": "viewer"}).status_code == 400
    demote = owner.post(url, {"username": "alice", "role": "viewer"})
    assert demote.status_code == 409  # the last owner stays
    assert owner.delete(f"{url}charlie/").status_code == 204
    assert owner.delete(f"{url}charlie/").status_code == 404


def test_errors_have_one_shape(world, owner):
    for response in (
        owner.get("/api/endpoints/999999/"),
        owner.post("/api/endpoints/", {"name": ""}),
        owner.post("/api/sweeps/999999/pause/"),
        client_as(world, "anonymous").get("/api/projects/"),
    ):
        body = response.json()
        assert set(body) == {"detail", "errors"} and body["detail"]


def test_a_name_the_project_already_has_is_refused_at_the_name(world, owner):
    acme, zeta = world.project, world.zeta
    dataset = acme.datasets.get()
    bodies = {
        "/api/endpoints/": {"name": "sim", "base_url": "http://127.0.0.1:9/v1"},
        "/api/prompts/": {"name": "p", "messages": [{"role": "user", "content": "x"}]},
        "/api/datasets/": {"name": dataset.name},
    }
    kinds = {"/api/endpoints/": "endpoint", "/api/prompts/": "prompt",
             "/api/datasets/": "dataset"}  # fmt: skip
    for url, body in bodies.items():
        before = owner.get(f"{url}?project={acme.pk}").json()["count"]
        refused = owner.post(url, {"project": acme.pk, **body}, format="json")
        assert refused.status_code == 400, url
        assert refused.json()["errors"] == [{
            "path": "name",
            "message": f"Project {acme.name} already has a {kinds[url]} named "
            f"{body['name']}.",
        }]  # fmt: skip
        assert owner.get(f"{url}?project={acme.pk}").json()["count"] == before
        # Another project may have the name; an object keeps its own.
        other = owner.post(url, {"project": zeta.pk, **body}, format="json")
        assert other.status_code == 201, (url, other.json())
        pk = other.json()["id"]
        kept = owner.patch(f"{url}{pk}/", {"name": body["name"]}, format="json")
        assert kept.status_code == 200, url
    renamed = owner.post("/api/datasets/", {"project": acme.pk, "name": "second"})
    taken = owner.patch(
        f"/api/datasets/{renamed.json()['id']}/", {"name": dataset.name}
    )
    assert taken.status_code == 400 and taken.json()["errors"][0]["path"] == "name"
