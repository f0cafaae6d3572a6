"""Settings helpers: typed values, clear errors naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from promptlooper_site.env import (
    database_from_url,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_secret,
    persistent_secret,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("TRUE", True),
        ("yes", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("", False),
    ],
)
def test_env_bool_accepts_common_spellings(raw, expected):
    assert env_bool("X", not expected, environ={"X": raw}) is expected


def test_env_bool_default_when_unset():
    assert env_bool("X", True, environ={}) is True


def test_env_bool_rejects_garbage_naming_the_variable():
    with pytest.raises(ImproperlyConfigured, match=r"DEBUG='maybe' is not a boolean"):
        env_bool("DEBUG", environ={"DEBUG": "maybe"})


def test_env_int_parses_checks_bounds_and_names_the_variable():
    assert env_int("N", 3, environ={"N": " 42 "}) == 42
    assert env_int("N", 3, environ={}) == 3
    with pytest.raises(ImproperlyConfigured, match="N='4x' is not an integer"):
        env_int("N", 3, environ={"N": "4x"})
    with pytest.raises(ImproperlyConfigured, match="N=0 is below the minimum 1"):
        env_int("N", 3, minimum=1, environ={"N": "0"})
    with pytest.raises(ImproperlyConfigured, match="above the maximum"):
        env_int("PORT", 1, maximum=65535, environ={"PORT": "70000"})


def test_env_list_splits_and_drops_blanks():
    assert env_list("H", ["d"], environ={"H": "a.com, b.com,,"}) == ["a.com", "b.com"]
    assert env_list("H", ["d"], environ={}) == ["d"]
    assert env_list("H", ["d"], environ={"H": ""}) == []


def test_env_choice_accepts_only_the_listed_values():
    assert env_choice("S", ("a", "b"), "a", environ={"S": "b"}) == "b"
    with pytest.raises(ImproperlyConfigured, match="S='c' is not one of: a, b"):
        env_choice("S", ("a", "b"), "a", environ={"S": "c"})


def test_env_secret_reads_value_or_file(tmp_path):
    secret_file = tmp_path / "key"
    secret_file.write_text("from-file\n")
    assert env_secret("K", environ={"K": "direct"}) == "direct"
    assert env_secret("K", environ={"K_FILE": str(secret_file)}) == "from-file"
    assert env_secret("K", "dflt", environ={}) == "dflt"


def test_env_secret_refuses_both_forms_an_unreadable_or_empty_file(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="either K or K_FILE"):
        env_secret("K", environ={"K": "a", "K_FILE": "/x"})
    with pytest.raises(ImproperlyConfigured, match="K_FILE='/nonexistent/k' cannot"):
        env_secret("K", environ={"K_FILE": "/nonexistent/k"})
    empty = tmp_path / "empty"
    empty.write_text("")
    with pytest.raises(ImproperlyConfigured, match="is empty"):
        env_secret("K", environ={"K_FILE": str(empty)})


def test_persistent_secret_is_created_once_and_kept(tmp_path):
    path = tmp_path / "sub" / "secret"
    first = persistent_secret(path)
    assert len(first) > 40
    assert persistent_secret(path) == first
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_persistent_secret_concurrent_creators_agree(tmp_path):
    path = tmp_path / "secret"
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(persistent_secret(path)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1


def test_database_default_is_a_sqlite_file_with_wal(tmp_path):
    config = database_from_url(None, tmp_path)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "promptlooper.sqlite3")
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["TEST"]["NAME"].endswith("test_promptlooper.sqlite3")


def test_database_url_for_postgres_sets_host_port_and_name(tmp_path):
    config = database_from_url("postgres://u:p@db:5434/pl", tmp_path)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db", 5434, "pl")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://db/x", "must start with postgres:// or sqlite:///"),
        ("nonsense", "must start with postgres://"),
        ("sqlite://:memory:", "must name a file"),
        ("postgres://db:5432/", "must name a database"),
    ],
)
def test_database_url_refuses_other_schemes_and_missing_names(tmp_path, url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        database_from_url(url, tmp_path)


def _start_django(env: dict) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PROMPTLOOPER_FERNET_KEYS")
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_mode_requires_secret_key(tmp_path):
    done = _start_django(
        {
            "DATABASE_URL": "postgres://postgres@127.0.0.1/x",
            "PROMPTLOOPER_DATA_DIR": str(tmp_path),
        }
    )
    assert done.returncode != 0
    assert (
        "SECRET_KEY is required when DATABASE_URL points at PostgreSQL" in done.stderr
    )


def test_production_mode_requires_fernet_keys(tmp_path):
    done = _start_django(
        {
            "DATABASE_URL": "postgres://postgres@127.0.0.1/x",
            "SECRET_KEY": "s" * 50,
            "PROMPTLOOPER_DATA_DIR": str(tmp_path),
        }
    )
    assert done.returncode != 0
    assert "PROMPTLOOPER_FERNET_KEYS is required" in done.stderr


def test_malformed_env_value_stops_start_up_with_its_name(tmp_path):
    done = _start_django({"DEBUG": "perhaps", "PROMPTLOOPER_DATA_DIR": str(tmp_path)})
    assert done.returncode != 0
    assert "DEBUG='perhaps' is not a boolean" in done.stderr


def test_single_container_mode_generates_and_keeps_secrets(tmp_path):
    first = _start_django({"PROMPTLOOPER_DATA_DIR": str(tmp_path)})
    assert first.returncode == 0, first.stderr
    key = (tmp_path / "secret_key").read_text()
    fernet = (tmp_path / "fernet_keys").read_text()
    assert _start_django({"PROMPTLOOPER_DATA_DIR": str(tmp_path)}).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key
    assert (tmp_path / "fernet_keys").read_text() == fernet


def test_production_without_redis_warns(tmp_path):
    done = _start_django(
        {
            "DATABASE_URL": "postgres://postgres@127.0.0.1/x",
            "SECRET_KEY": "s" * 50,
            "PROMPTLOOPER_FERNET_KEYS": "ZmRlMjU3YjVkZmE4NDQ0MWE0NjdiYWYxNzQzYmJmMjA=",
        }
    )
    assert "promptlooper.W001" in done.stderr + done.stdout


def test_env_float_parses_numbers_and_refuses_the_rest():
    assert env_float("F", 0.5, environ={"F": "1.25"}) == 1.25
    assert env_float("F", 0.5, environ={}) == 0.5
    with pytest.raises(ImproperlyConfigured, match="F='fast' is not a number"):
        env_float("F", 0.5, environ={"F": "fast"})
    with pytest.raises(ImproperlyConfigured, match="below the minimum"):
        env_float("F", 0.5, environ={"F": "nan"})
