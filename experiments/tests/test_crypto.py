"""Endpoint API keys are encrypted at rest."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from experiments.models import Endpoint

pytestmark = pytest.mark.django_db

SECRET = "sk-live-THIS-MUST-NOT-LEAK-123"


def _raw_column(endpoint_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT api_key FROM experiments_endpoint WHERE id = %s", [endpoint_id]
        )
        return cursor.fetchone()[0]


def test_api_key_is_not_stored_in_clear(project):
    endpoint = Endpoint.objects.create(
        project=project,
        name="openai",
        base_url="https://api.openai.com/v1",
        api_key=SECRET,
    )
    raw = _raw_column(endpoint.pk)
    assert SECRET not in raw
    assert raw.startswith("gAAAA")  # a Fernet token
    assert Endpoint.objects.get(pk=endpoint.pk).api_key == SECRET


def test_empty_key_stays_empty(project):
    endpoint = Endpoint.objects.create(
        project=project, name="local", base_url="http://x/v1"
    )
    assert _raw_column(endpoint.pk) == ""
    assert Endpoint.objects.get(pk=endpoint.pk).api_key_set is False


def test_old_keys_still_decrypt_after_rotation(project, settings):
    endpoint = Endpoint.objects.create(
        project=project, name="e", base_url="http://x/v1", api_key=SECRET
    )
    settings.FERNET_KEYS = [Fernet.generate_key().decode(), *settings.FERNET_KEYS]
    assert Endpoint.objects.get(pk=endpoint.pk).api_key == SECRET


def test_unknown_key_gives_a_clear_error(project, settings):
    endpoint = Endpoint.objects.create(
        project=project, name="e", base_url="http://x/v1", api_key=SECRET
    )
    settings.FERNET_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        Endpoint.objects.get(pk=endpoint.pk)


def test_env_key_is_resolved_at_run_time(project, monkeypatch):
    endpoint = Endpoint.objects.create(
        project=project,
        name="e",
        base_url="http://x/v1",
        api_key_env="PROMPTLOOPER_KEY_MY_LLM",
    )
    monkeypatch.setenv("PROMPTLOOPER_KEY_MY_LLM", "from-env")
    assert endpoint.resolved_api_key() == "from-env"
    assert _raw_column(endpoint.pk) == ""


def test_base_url_is_normalised(project):
    endpoint = Endpoint.objects.create(
        project=project, name="e", base_url="HTTP://Host:8/v1/"
    )
    assert endpoint.base_url == "http://host:8/v1"
