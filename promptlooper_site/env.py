"""Typed readers for settings taken from the environment.

Every helper raises ``ImproperlyConfigured`` naming the variable when a value
is malformed, so a typo in a compose file fails at start-up with a readable
message instead of surfacing later as odd behaviour.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

# --- Variables that are PromptLooper's own configuration ----------------------
# An endpoint's ``api_key_env`` sends the named variable to a user-chosen URL,
# so it must never name one of these, whatever the operator allows
# (adapters/endpoint_policy.py). The helpers below add every name they read;
# this list covers the names read elsewhere (``bootstrap``, Django itself) and
# holds in a process that has not loaded the settings yet.
RESERVED_ENV_NAMES = frozenset(
    {
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "PROMPTLOOPER_FERNET_KEYS",
        "PROMPTLOOPER_ADMIN_PASSWORD",
        "PROMPTLOOPER_ADMIN_USER",
        "PROMPTLOOPER_DATA_DIR",
        "DJANGO_SETTINGS_MODULE",
        "DEBUG",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
    }
)
# The PromptLooper namespace is configuration, except the one meant for keys.
_RESERVED_PREFIX, _KEY_PREFIX = "PROMPTLOOPER_", "PROMPTLOOPER_KEY_"
_read_names: set[str] = set()


def is_reserved_env_name(name: str) -> bool:
    """True for a variable the project reads as configuration (or its
    ``_FILE`` form): never usable as an endpoint key."""
    upper = name.upper()
    reserved = RESERVED_ENV_NAMES | _read_names
    return (
        upper in reserved
        or upper.removesuffix("_FILE") in reserved
        or (upper.startswith(_RESERVED_PREFIX) and not upper.startswith(_KEY_PREFIX))
    )


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    if environ is None:
        _read_names.add(name.upper())
    env = os.environ if environ is None else environ
    value = env.get(name)
    return None if value is None else value.strip()


def env_str(name: str, default: str | None = None, *, environ=None) -> str | None:
    value = _raw(name, environ)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool = False, *, environ=None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean; use 1/0, true/false, yes/no or on/off."
    )


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ=None,
) -> int:
    value = _raw(name, environ)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum {minimum}.")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={number} is above the maximum {maximum}.")
    return number


def env_float(
    name: str, default: float, *, minimum: float = 0.0, environ=None
) -> float:
    value = _raw(name, environ)
    if value in (None, ""):
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number.") from None
    if not number >= minimum:  # also rejects NaN
        raise ImproperlyConfigured(f"{name}={number} is below the minimum {minimum}.")
    return number


def env_list(name: str, default: list[str] | None = None, *, environ=None) -> list[str]:
    """A comma-separated list; blanks around items are ignored, empty items dropped."""
    value = _raw(name, environ)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(
    name: str, choices: tuple[str, ...], default: str, *, environ=None
) -> str:
    value = env_str(name, default, environ=environ)
    assert value is not None
    if value not in choices:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not one of: {', '.join(choices)}."
        )
    return value


def env_secret(name: str, default: str | None = None, *, environ=None) -> str | None:
    """Read ``NAME``, or the file named by ``NAME_FILE`` (Docker secrets)."""
    value = env_str(name, None, environ=environ)
    file_name = env_str(f"{name}_FILE", None, environ=environ)
    if value is not None and file_name is not None:
        raise ImproperlyConfigured(f"Set either {name} or {name}_FILE, not both.")
    if file_name is not None:
        try:
            value = Path(file_name).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{name}_FILE={file_name!r} cannot be read: {exc.strerror}."
            ) from None
        if not value:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} is empty.")
    return default if value is None else value


def persistent_secret(path: Path, make: Callable[[], str] | None = None) -> str:
    """Return the secret stored at ``path``, creating it once if it does not exist.

    Single-container mode keeps generated secrets in the data directory so they
    survive restarts. ``O_EXCL`` makes the first writer win when web and worker
    start at the same moment; the loser reads what the winner wrote.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    make = make or (lambda: secrets.token_urlsafe(50))
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            value = path.read_text().strip()
            if value:
                return value
            time.sleep(0.02)
        raise ImproperlyConfigured(f"{path} exists but is empty; delete it.") from None
    value = make()
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def private_sqlite_file(path: Path) -> None:
    """Make the SQLite database readable by its owner only (0600), like the
    secrets: it holds password hashes, API key digests and every response.

    SQLite would create it with the umask's mode (usually world-readable);
    created here first, it keeps 0600, and SQLite gives its -wal and -shm
    files the database file's mode. Files an older version left readable are
    tightened, if they are ours."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            info = name.stat()
        except FileNotFoundError:
            continue
        if info.st_mode & 0o077 and info.st_uid == os.getuid():
            name.chmod(0o600)


def database_from_url(url: str | None, data_dir: Path) -> dict:
    """Django ``DATABASES["default"]`` for ``DATABASE_URL``.

    Unset (or ``sqlite:///``) means the single-container SQLite file in the data
    directory. SQLite gets WAL, a busy timeout and IMMEDIATE transactions
    because the worker and the web process write to it concurrently
    (dependency-notes.md: "database is locked" otherwise).
    """
    import dj_database_url

    if url is None or url in ("sqlite://", "sqlite:///"):
        url = f"sqlite:///{data_dir / 'promptlooper.sqlite3'}"
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in ("sqlite", "postgres", "postgresql", "pgsql"):
        raise ImproperlyConfigured(
            "DATABASE_URL must start with postgres:// or sqlite:///, "
            f"got {scheme or url!r}."
        )
    try:
        config = dj_database_url.parse(url)
    except Exception as exc:  # the library raises several unrelated types
        raise ImproperlyConfigured(f"DATABASE_URL cannot be parsed: {exc}.") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        if not config.get("NAME") or config["NAME"] == ":memory:":
            raise ImproperlyConfigured(
                "DATABASE_URL=sqlite:///... must name a file (workers share it)."
            )
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        name = Path(config["NAME"])
        config["TEST"] = {"NAME": str(name.with_name(f"test_{name.name}"))}
    else:
        if not config.get("NAME"):
            raise ImproperlyConfigured("DATABASE_URL must name a database.")
        config["CONN_MAX_AGE"] = 0
    return config


_RATE_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/min"`` as (10, 60): DRF's rate syntax, the period by first letter."""
    count, _, period = rate.partition("/")
    if not count.strip().isdigit() or period[:1] not in _RATE_PERIODS:
        raise ValueError(rate)
    return int(count), _RATE_PERIODS[period[0]]


def env_rate(name: str, default: str, *, environ=None) -> str:
    """A throttle rate such as ``10/min``, ``100/hour`` or ``5/s``."""
    value = env_str(name, default, environ=environ)
    assert value is not None
    try:
        count, _ = parse_rate(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a rate; use N/second, N/min, N/hour or N/day."
        ) from None
    if count < 1:
        raise ImproperlyConfigured(f"{name}={value!r}: the count must be at least 1.")
    return value


def env_header(name: str, *, environ=None) -> tuple[str, str] | None:
    """``Header-Name=value`` as Django's ``("HTTP_HEADER_NAME", "value")``
    (the form ``SECURE_PROXY_SSL_HEADER`` takes); unset gives None."""
    raw = env_str(name, None, environ=environ)
    if raw is None:
        return None
    header, sep, value = raw.partition("=")
    header, value = header.strip(), value.strip()
    if not sep or not header or not value or " " in header:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not Header-Name=value, e.g. X-Forwarded-Proto=https."
        )
    meta = header.upper().replace("-", "_")
    return (meta if meta.startswith("HTTP_") else f"HTTP_{meta}", value)
