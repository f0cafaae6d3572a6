"""Which system checks each command runs, and what a CLI start loads.

The data commands (runexperiment, startsweep, validate_experiment,
steer_sweep, purge_cache) run only the model checks and PromptLooper's own:
the admin, template and URL checks import the whole REST API, which they do
not use (experiments/management/cli_checks.py). Every command that serves or
changes the schema keeps all checks, so a broken setting is still reported.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

from experiments.management.cli_checks import CLI_CHECKS

REPO = Path(__file__).resolve().parents[2]
DATA_COMMANDS = [
    "runexperiment",
    "startsweep",
    "validate_experiment",
    "steer_sweep",
    "purge_cache",
]
# Settings that break the site (the admin needs a DjangoTemplates engine:
# admin.E403) and nothing the data commands use.
BROKEN_SITE = "TEMPLATES = []\n"
# A broken model, as the model checks would find it.
BROKEN_MODELS = """
from django.core import checks


@checks.register(checks.Tags.models)
def _broken_model(app_configs, **kwargs):
    return [checks.Error("a broken model", id="test.E001")]
"""
# daphne listed after staticfiles: runserver would not be the ASGI one.
DAPHNE_AFTER_STATICFILES = """
INSTALLED_APPS = [app for app in INSTALLED_APPS if not app.endswith("DaphneConfig")]
INSTALLED_APPS.append("promptlooper_site.apps.DaphneConfig")
"""
# Loaded only to serve HTTP (daphne, Twisted) or by the API and its URLs.
SERVER_AND_API = (
    "daphne.server",
    "twisted.internet.reactor",
    "experiments.api.urls",
    "drf_spectacular.views",
    "django.test",
)


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(
        "name: x\nendpoints: [{name: e, base_url: 'http://h/v1'}]\n"
        "dataset: {items: [{input: {q: a}}]}\n"
        "prompts: [{name: p, template: '{{ q }}'}]\n"
        "models: [{endpoint: e, model: m}]\n"
    )
    return path


@pytest.fixture
def manage_with(transactional_db, test_db_env, tmp_path):
    """Run manage.py with the project's settings plus ``extra`` settings code,
    on this run's test database."""

    def run(extra: str, *args: str) -> subprocess.CompletedProcess:
        (tmp_path / "h13_settings.py").write_text(
            "from promptlooper_site.settings import *  # noqa: F403\n" + extra
        )
        env = {
            **test_db_env,
            "DJANGO_SETTINGS_MODULE": "h13_settings",
            "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)]),
        }
        return subprocess.run(
            [sys.executable, str(REPO / "manage.py"), *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


@pytest.mark.parametrize("name", DATA_COMMANDS)
def test_data_commands_run_only_the_model_and_project_checks(name):
    command = load_command_class("experiments", name)
    assert command.requires_system_checks == CLI_CHECKS


def test_check_still_reports_a_broken_setting(manage_with):
    done = manage_with(BROKEN_SITE, "check")
    assert done.returncode == 1
    assert "admin.E403" in done.stderr


@pytest.mark.parametrize(
    "args",
    [["migrate", "--plan"], ["runserver", "--noreload", "127.0.0.1:0"]],
    ids=["migrate", "runserver"],
)
def test_commands_that_serve_or_migrate_refuse_a_broken_setting(manage_with, args):
    # runserver would serve until the timeout if it skipped the checks.
    done = manage_with(BROKEN_SITE, *args)
    assert done.returncode == 1
    assert "admin.E403" in done.stderr


def test_data_commands_start_despite_a_broken_site_setting(manage_with, spec):
    done = manage_with(BROKEN_SITE, "validate_experiment", str(spec))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: 1 configs x 1 items")


def test_data_commands_still_refuse_a_broken_model(manage_with, spec):
    done = manage_with(BROKEN_MODELS, "validate_experiment", str(spec))
    assert done.returncode == 1
    assert "test.E001" in done.stderr


def test_check_reports_daphne_listed_after_staticfiles(manage_with):
    done = manage_with(DAPHNE_AFTER_STATICFILES, "check")
    assert done.returncode == 1
    assert "daphne.E001" in done.stderr


def test_runserver_is_daphnes_asgi_server():
    assert get_commands()["runserver"] == "daphne"


def test_a_cli_start_loads_neither_the_server_nor_the_api(
    transactional_db, test_db_env, spec
):
    code = (
        "import sys, django\n"
        "django.setup()\n"
        "from django.core.management import call_command\n"
        f"call_command('validate_experiment', {str(spec)!r}, skip_checks=False)\n"
        f"print('loaded:', *(m for m in {SERVER_AND_API!r} if m in sys.modules))\n"
    )
    env = {**test_db_env, "DJANGO_SETTINGS_MODULE": "promptlooper_site.settings"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "loaded:"
