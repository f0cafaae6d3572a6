"""Curating in the admin: prompts, dataset import, endpoints, experiments."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from experiments.models import Dataset, Endpoint, Experiment, Prompt
from experiments.tests.factories import make_dataset

pytestmark = pytest.mark.django_db
SECRET = "sk-test-never-shown-4242"


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


# --- dataset import ----------------------------------------------------------


def _import(admin_client, dataset, name, content, mode="append"):
    url = reverse("admin:dataset_import", args=[dataset.pk])
    upload = SimpleUploadedFile(name, content.encode())
    return admin_client.post(url, {"file": upload, "mode": mode}, follow=True)


def test_import_jsonl_appends_items(admin_client, project):
    dataset = make_dataset(project, n=2)
    content = (
        '{"input": {"passage": "a"}, "expected": {"people": []}}\n{"passage": "b"}\n'
    )
    response = _import(admin_client, dataset, "more.jsonl", content)
    assert "Imported 2 items from more.jsonl" in response.content.decode()
    passages = [i.input["passage"] for i in dataset.active_items()]
    assert passages[2:] == ["a", "b"]


def test_import_csv_replaces_items(admin_client, project):
    dataset = make_dataset(project, n=3)
    content = 'passage,expected.people,tags\nAda in Paris,"[""Ada""]","x,y"\n'
    _import(admin_client, dataset, "new.csv", content, mode="replace")
    items = list(dataset.active_items())
    assert len(items) == 1
    assert (items[0].input, items[0].expected, items[0].tags) == (
        {"passage": "Ada in Paris"},
        {"people": ["Ada"]},
        ["x", "y"],
    )


@pytest.mark.parametrize(
    ("name", "content", "expected_errors"),
    [
        (
            "bad.jsonl",
            '{"passage": "ok"}\nnot json\n["a list"]\n',
            ["line 2", "line 3"],
        ),
        ("bad.csv", "passage,other\nok,1\nonly-one-cell\n", ["line 3"]),
        ("bad.txt", "hello", ["unsupported file type"]),
    ],
)
def test_bad_rows_are_listed_and_nothing_is_imported(
    admin_client, project, name, content, expected_errors
):
    dataset = make_dataset(project, n=2)
    response = _import(admin_client, dataset, name, content)
    page = response.content.decode()
    assert "The file was not imported" in page
    for fragment in expected_errors:
        assert fragment in page
    assert dataset.active_items().count() == 2


def test_dataset_page_links_to_import_and_export(admin_client, demo):
    dataset = demo.dataset
    page = admin_client.get(
        reverse("admin:experiments_dataset_change", args=[dataset.pk])
    )
    assert b"Import items" in page.content and b"Export CSV" in page.content
    jsonl = admin_client.get(
        reverse("admin:dataset_export", args=[dataset.pk, "jsonl"])
    )
    lines = jsonl.content.decode().splitlines()
    assert len(lines) == dataset.active_items().count()
    assert json.loads(lines[0])["input"] == dataset.active_items().first().input


# --- prompts -----------------------------------------------------------------


def test_editing_a_prompt_adds_a_version(admin_client, project):
    url = reverse("admin:experiments_prompt_add")
    messages = [{"role": "user", "content": "{{ passage }}"}]
    data = {
        "project": project.pk,
        "name": "p",
        "description": "",
        "messages": json.dumps(messages),
        "versions-TOTAL_FORMS": 0,
        "versions-INITIAL_FORMS": 0,
    }
    admin_client.post(url, data)
    prompt = Prompt.objects.get(name="p")
    assert prompt.latest_version.number == 1
    change = reverse("admin:experiments_prompt_change", args=[prompt.pk])
    page = admin_client.get(change).content.decode()
    assert "{{ passage }}" in page  # the readable messages of version 1
    data["messages"] = json.dumps([{"role": "user", "content": "Text: {{ passage }}"}])
    admin_client.post(change, data)
    assert prompt.versions.count() == 2
    admin_client.post(change, data)  # unchanged messages: no new version
    assert prompt.versions.count() == 2


def test_prompt_with_bad_messages_is_refused(admin_client, project):
    data = {
        "project": project.pk,
        "name": "p",
        "messages": '[{"role": "x"}]',
        "versions-TOTAL_FORMS": 0,
        "versions-INITIAL_FORMS": 0,
    }
    response = admin_client.post(reverse("admin:experiments_prompt_add"), data)
    assert "messages[0].content: required field is missing" in response.content.decode()
    assert not Prompt.objects.exists()


# --- endpoints ---------------------------------------------------------------


def _endpoint_form(project, **extra):
    return {
        "project": project.pk,
        "name": "openai",
        "kind": "openai",
        "base_url": "https://api.example.com/v1",
        "api_key_env": "",
        "max_concurrency": 4,
        "rpm": "",
        "tpm": "",
        "timeout_s": 30,
        "prices": "{}",
        **extra,
    }


def test_endpoint_key_is_write_only(admin_client, project):
    admin_client.post(
        reverse("admin:experiments_endpoint_add"),
        _endpoint_form(project, new_api_key=SECRET),
    )
    endpoint = Endpoint.objects.get()
    assert endpoint.api_key == SECRET
    change = reverse("admin:experiments_endpoint_change", args=[endpoint.pk])
    page = admin_client.get(change).content.decode()
    assert SECRET not in page and "set" in page
    listing = admin_client.get(reverse("admin:experiments_endpoint_changelist"))
    assert SECRET not in listing.content.decode()
    # Saving without a new key keeps the stored one; "clear" removes it.
    admin_client.post(change, _endpoint_form(project, max_concurrency=9))
    endpoint.refresh_from_db()
    assert (endpoint.api_key, endpoint.max_concurrency) == (SECRET, 9)
    admin_client.post(change, _endpoint_form(project, clear_api_key="on"))
    endpoint.refresh_from_db()
    assert endpoint.api_key == ""


class _FakeLLM(BaseHTTPRequestHandler):
    """A real HTTP server answering GET /v1/models, checking the bearer key."""

    def do_GET(self):
        if self.headers.get("Authorization") != f"Bearer {SECRET}":
            self.send_response(401)
            self.end_headers()
            return
        body = json.dumps({"data": [{"id": "m1"}, {"id": "m2"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def llm_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeLLM)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def _test_connection(admin_client, endpoint):
    url = reverse("admin:experiments_endpoint_changelist")
    data = {"action": "test_connection", "_selected_action": [endpoint.pk]}
    response = admin_client.post(url, data, follow=True)
    return [str(m) for m in response.context["messages"]]


def test_test_connection_reports_models(admin_client, project, llm_server):
    endpoint = Endpoint.objects.create(
        project=project, name="good", base_url=llm_server, api_key=SECRET
    )
    assert _test_connection(admin_client, endpoint) == [
        "good: connected: 2 model(s) available: m1, m2"
    ]


def test_test_connection_reports_a_refused_key_without_showing_it(
    admin_client, project, llm_server
):
    endpoint = Endpoint.objects.create(
        project=project, name="bad", base_url=llm_server, api_key="wrong-key"
    )
    messages = _test_connection(admin_client, endpoint)
    assert messages == ["bad: the endpoint refused the API key (HTTP 401)"]


def test_test_connection_reports_unreachable(admin_client, project):
    endpoint = Endpoint.objects.create(
        project=project, name="down", base_url="http://127.0.0.1:9/v1"
    )
    [message] = _test_connection(admin_client, endpoint)
    assert message == "down: could not connect"


# --- experiments -------------------------------------------------------------


def test_experiment_is_added_from_a_pasted_spec(admin_client, demo):
    spec = (
        "name: pasted\nproject: demo\ndataset: {name: demo-passages, limit: 3}\n"
        "prompts: [{name: t, template: '{{ passage }}'}]\n"
        "models: [{endpoint: simulator, model: sim-echo}]\n"
    )
    admin_client.post(reverse("admin:experiments_experiment_add"), {"spec_text": spec})
    experiment = Experiment.objects.get(name="pasted")
    assert experiment.dataset.name == "demo-passages"
    assert experiment.spec["dataset"]["limit"] == 3


def test_bad_pasted_spec_shows_every_error(admin_client, demo):
    spec = "name: bad\nproject: demo\ndataset: {name: nope}\nprompts: []\nmodels: []\n"
    response = admin_client.post(
        reverse("admin:experiments_experiment_add"), {"spec_text": spec}
    )
    page = response.content.decode()
    assert "dataset.name: no dataset &quot;nope&quot;" in page
    assert "prompts: needs at least 1 item" in page
    assert not Experiment.objects.filter(name="bad").exists()
    assert Dataset.objects.count() == 1
