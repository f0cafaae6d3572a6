"""Endpoints cannot exfiltrate server secrets or probe the server's network.

Key variables are limited to what the operator allows and never name the
project's own settings; hosts can be limited; credentials never sit in a URL;
the connection test says only a status and a generic reason.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from adapters.endpoint_policy import validate_host_rules
from experiments.models import Endpoint, Experiment, Sweep
from experiments.spec import validate_spec
from experiments.tests.api_helpers import build_world, client_as
from experiments.tests.engine_helpers import extraction_spec, run, start
from promptlooper_site.env import is_reserved_env_name

REPO = Path(__file__).resolve().parents[2]
LEAKED = "server-side-secret-value-must-not-leave-9f3a"
BODY_SECRET = "internal-body-secret-7c1e"


# --- a real HTTP server that records what it is sent -------------------------


class _Recorder(BaseHTTPRequestHandler):
    """Behaviour by first path segment: /models-ok/v1, /error500/v1, ..."""

    def do_GET(self):
        self._answer()

    def do_POST(self):
        self._answer()

    def _answer(self):
        self.server.seen.append((self.path, self.headers.get("Authorization")))
        mode = self.path.strip("/").split("/")[0]
        if mode == "slow":
            time.sleep(3)
        status, body = {
            "models-ok": (200, {"object": "list", "data": [{"id": "m1"}]}),
            "error500": (500, f"db at 10.0.0.3 says {BODY_SECRET}"),
            "notalist": (200, {"config": BODY_SECRET, "data": BODY_SECRET}),
            "html": (200, f"<html>{BODY_SECRET}</html>"),
            "slow": (200, {"data": []}),
        }.get(mode, (404, BODY_SECRET))
        raw = (json.dumps(body) if isinstance(body, dict) else body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
        except OSError:
            pass  # the client gave up (the timeout test)

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()


@pytest.fixture
def world(alice, bob, carol, charlie, project):
    return build_world(alice, bob, carol, charlie, project)


@pytest.fixture
def editor(world):
    return client_as(world, "editor")


def _spec(**endpoint) -> dict:
    spec = extraction_spec("http://127.0.0.1:9/v1", n_items=1)
    spec["endpoints"][0].update(endpoint)
    return spec


def _spec_errors(spec: dict) -> dict[str, str]:
    return {e.path: e.message for e in validate_spec(spec).errors}


def _stored(project, **fields) -> Endpoint:
    """A row as stored before this fix: written without validation."""
    endpoint = Endpoint.objects.create(
        project=project, name="legacy", base_url="http://127.0.0.1:9/v1"
    )
    Endpoint.objects.filter(pk=endpoint.pk).update(**fields)
    endpoint.refresh_from_db()
    return endpoint


def _admin_form(project, **extra) -> dict:
    return {
        "project": project.pk,
        "name": "e",
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


def _admin_errors(admin_client, project, **extra) -> dict:
    response = admin_client.post(
        reverse("admin:experiments_endpoint_add"), _admin_form(project, **extra)
    )
    assert response.status_code == 200, "the form should have been refused"
    return response.context["adminform"].form.errors


def _command(test_db_env, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args],
        cwd=REPO,
        env={**test_db_env, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- 1. key variables ---------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "SECRET_KEY",
        "SECRET_KEY_FILE",
        "DATABASE_URL",
        "REDIS_URL",
        "PROMPTLOOPER_FERNET_KEYS",
        "PROMPTLOOPER_FERNET_KEYS_FILE",
        "PROMPTLOOPER_ADMIN_PASSWORD",
        "PROMPTLOOPER_THROTTLE_AUTH",  # read by settings.py through env.py
        "TIME_ZONE",  # likewise, outside the PROMPTLOOPER_ namespace
        "secret_key",
    ],
)
def test_settings_variables_are_never_usable_as_keys_even_if_allowed(name, settings):
    settings.ENDPOINT_KEY_ENV_ALLOWED = ["*"]
    assert is_reserved_env_name(name)
    errors = _spec_errors(_spec(api_key_env=name))
    assert "own settings" in errors["endpoints[0].api_key_env"]


def test_only_prefixed_key_variables_are_allowed_by_default():
    errors = _spec_errors(_spec(api_key_env="OPENAI_API_KEY"))
    message = errors["endpoints[0].api_key_env"]
    assert "PROMPTLOOPER_KEY_*" in message
    assert "PROMPTLOOPER_ENDPOINT_KEY_ENV_ALLOWED" in message
    assert validate_spec(_spec(api_key_env="PROMPTLOOPER_KEY_OPENAI")).ok


def test_operator_can_allow_other_key_variables_by_name_or_glob(settings):
    settings.ENDPOINT_KEY_ENV_ALLOWED = ["OPENAI_API_KEY", "LLM_*"]
    assert validate_spec(_spec(api_key_env="OPENAI_API_KEY")).ok
    assert validate_spec(_spec(api_key_env="LLM_VLLM")).ok
    assert "endpoints[0].api_key_env" in _spec_errors(
        _spec(api_key_env="PROMPTLOOPER_KEY_X")
    )


@pytest.mark.django_db
def test_api_refuses_a_settings_variable_as_key_with_the_field_path(world, editor):
    body = {"project": world.project.pk, "name": "exfil", "api_key_env": "SECRET_KEY",
            "base_url": "http://127.0.0.1:9/v1"}  # fmt: skip
    created = editor.post("/api/endpoints/", body)
    assert created.status_code == 400
    assert [e["path"] for e in created.json()["errors"]] == ["api_key_env"]
    assert not Endpoint.objects.filter(name="exfil").exists()
    pk = world.ids["endpoint"]
    changed = editor.patch(f"/api/endpoints/{pk}/", {"api_key_env": "DATABASE_URL"})
    assert changed.status_code == 400
    assert changed.json()["errors"][0]["path"] == "api_key_env"
    assert Endpoint.objects.get(pk=pk).api_key_env == ""


@pytest.mark.django_db
def test_api_refuses_a_spec_naming_a_settings_variable(world, editor):
    spec = {**_spec(api_key_env="PROMPTLOOPER_FERNET_KEYS"), "name": "exfil-spec"}
    response = editor.post("/api/experiments/", spec)
    assert response.status_code == 400
    paths = [e["path"] for e in response.json()["errors"]]
    assert paths == ["endpoints[0].api_key_env"]
    assert not Experiment.objects.filter(name="exfil-spec").exists()


@pytest.mark.django_db
def test_admin_form_refuses_a_settings_variable_at_the_field(admin_client, project):
    errors = _admin_errors(admin_client, project, api_key_env="SECRET_KEY")
    assert "own settings" in errors["api_key_env"][0]
    assert not Endpoint.objects.exists()


def test_validate_and_run_commands_exit_1_on_a_settings_variable(
    test_db_env, tmp_path, transactional_db
):
    spec = tmp_path / "exfil.yaml"
    spec.write_text(yaml.safe_dump(_spec(api_key_env="SECRET_KEY")))
    for command in ("validate_experiment", "runexperiment"):
        done = _command(test_db_env, command, str(spec))
        assert done.returncode == 1, (command, done.stderr)
        assert "endpoints[0].api_key_env: SECRET_KEY is one of" in done.stderr
    assert not Experiment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_stored_row_naming_a_settings_variable_is_refused_at_run_time(
    project, recorder, monkeypatch, world, editor
):
    monkeypatch.setenv("SECRET_KEY", LEAKED)
    endpoint = _stored(
        project, base_url=f"{recorder.url}/models-ok/v1", api_key_env="SECRET_KEY"
    )
    with pytest.raises(Exception, match="own settings"):
        endpoint.resolved_api_key()
    result = editor.post(f"/api/endpoints/{endpoint.pk}/test/").json()
    assert result["ok"] is False and "api_key_env" in result["message"]
    assert LEAKED not in json.dumps(result)
    # A sweep over it fails before any call.
    spec = {**_spec(), "name": "s2", "endpoints": []}
    spec["models"] = [{"endpoint": "legacy", "model": "m1"}]
    sweep = run(spec)
    assert sweep.status == Sweep.Status.FAILED
    assert 'endpoint "legacy" refused: api_key_env' in sweep.error_message
    assert recorder.seen == []


@pytest.mark.django_db
def test_allowed_key_variable_is_sent_to_the_endpoint(project, recorder, monkeypatch):
    monkeypatch.setenv("PROMPTLOOPER_KEY_TEST", "allowed-key")
    endpoint = Endpoint.objects.create(
        project=project,
        name="ok",
        base_url=f"{recorder.url}/models-ok/v1",
        api_key_env="PROMPTLOOPER_KEY_TEST",
    )
    endpoint.full_clean()
    assert endpoint.resolved_api_key() == "allowed-key"


# --- 2. hosts -----------------------------------------------------------------


@pytest.fixture
def hosts_limited(settings):
    settings.ENDPOINT_HOSTS_ALLOWED = [
        "api.example.com",
        "*.corp.example",
        "10.0.0.0/8",
    ]


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://api.example.com/v1", True),
        ("https://API.example.com./v1", True),
        ("http://llm.corp.example:8000/v1", True),
        ("http://10.1.2.3:8000/v1", True),
        ("http://127.0.0.1:8499/v1", False),
        ("http://api.example.com.evil.test/v1", False),
        ("http://corp.example/v1", False),
        ("http://[::1]:8000/v1", False),
        ("http://169.254.169.254/latest", False),
    ],
)
def test_endpoint_hosts_can_be_limited(url, allowed, hosts_limited):
    errors = _spec_errors(_spec(base_url=url))
    assert ("endpoints[0].base_url" not in errors) is allowed, errors
    if not allowed:
        assert "PROMPTLOOPER_ENDPOINT_HOSTS_ALLOWED" in errors["endpoints[0].base_url"]


def test_hosts_are_unrestricted_by_default():
    assert validate_spec(_spec(base_url="http://127.0.0.1:8499/v1")).ok


def test_a_malformed_host_network_fails_at_start_up(settings):
    settings.ENDPOINT_HOSTS_ALLOWED = ["10.0.0.0/99"]
    with pytest.raises(ImproperlyConfigured, match="PROMPTLOOPER_ENDPOINT_HOSTS"):
        validate_host_rules()


@pytest.mark.django_db
def test_api_and_admin_refuse_a_host_not_allowed(
    world, editor, admin_client, project, hosts_limited
):
    body = {"project": world.project.pk, "name": "probe",
            "base_url": "http://127.0.0.1:6379/v1"}  # fmt: skip
    response = editor.post("/api/endpoints/", body)
    assert response.status_code == 400
    assert [e["path"] for e in response.json()["errors"]] == ["base_url"]
    errors = _admin_errors(admin_client, project, base_url="http://127.0.0.1:6379")
    assert "is not one endpoints may call" in errors["base_url"][0]


@pytest.mark.django_db(transaction=True)
def test_stored_endpoint_on_a_host_no_longer_allowed_is_not_called(
    project, recorder, world, editor, settings
):
    endpoint = _stored(project, base_url=f"{recorder.url}/models-ok/v1")
    spec = {**_spec(), "name": "s3", "endpoints": []}
    spec["models"] = [{"endpoint": "legacy", "model": "m1"}]
    sweep = start(spec)
    settings.ENDPOINT_HOSTS_ALLOWED = ["api.example.com"]
    result = editor.post(f"/api/endpoints/{endpoint.pk}/test/").json()
    assert result["ok"] is False and "127.0.0.1" in result["message"]
    from experiments.services.sweeps import run_sweep

    sweep = run_sweep(sweep)
    assert sweep.status == Sweep.Status.FAILED
    assert "is not one endpoints may call" in sweep.error_message
    assert recorder.seen == []


# --- 3. credentials in a URL --------------------------------------------------


@pytest.mark.parametrize(
    "url", ["http://user:hunter2@127.0.0.1:9/v1", "https://sk-abc@api.example.com/v1"]
)
def test_credentials_in_base_url_are_refused_everywhere(
    url, world, editor, admin_client, project
):
    message = _spec_errors(_spec(base_url=url))["endpoints[0].base_url"]
    assert "write-only API key" in message and "hunter2" not in message
    body = {"project": world.project.pk, "name": "creds", "base_url": url}
    response = editor.post("/api/endpoints/", body)
    assert response.status_code == 400
    assert [e["path"] for e in response.json()["errors"]] == ["base_url"]
    assert "hunter2" not in response.content.decode()
    errors = _admin_errors(admin_client, project, base_url=url)
    assert "write-only API key" in errors["base_url"][0]
    assert not Endpoint.objects.filter(base_url__contains="@").exists()


# --- 4. what the connection test tells ----------------------------------------


def _test(editor, project, base_url: str, timeout_s: float = 5.0) -> dict:
    endpoint = Endpoint.objects.create(
        project=project, name=f"t{time.monotonic_ns()}", base_url=base_url,
        timeout_s=timeout_s,
    )  # fmt: skip
    return editor.post(f"/api/endpoints/{endpoint.pk}/test/").json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("error500", "HTTP 500"),
        ("nothing-here", "HTTP 404"),
        ("notalist", "HTTP 200 but not an OpenAI model list"),
        ("html", "HTTP 200 but not an OpenAI model list"),
    ],
)
def test_connection_test_never_shows_the_answer_body(
    mode, message, world, editor, project, recorder
):
    result = _test(editor, project, f"{recorder.url}/{mode}/v1")
    assert result == {"ok": False, "message": message, "models": []}


@pytest.mark.django_db
def test_connection_test_hides_low_level_connect_errors(world, editor, project):
    result = _test(editor, project, "http://127.0.0.1:9/v1")
    assert result == {"ok": False, "message": "could not connect", "models": []}


@pytest.mark.django_db
def test_connection_test_reports_a_timeout_generically(
    world, editor, project, recorder
):
    result = _test(editor, project, f"{recorder.url}/slow/v1", timeout_s=0.3)
    assert result == {"ok": False, "message": "no answer within 0.3 s", "models": []}


@pytest.mark.django_db
def test_connection_test_lists_models_of_a_real_model_list(
    world, editor, project, recorder
):
    result = _test(editor, project, f"{recorder.url}/models-ok/v1")
    assert result == {
        "ok": True,
        "message": "connected: 1 model(s) available: m1",
        "models": ["m1"],
    }
