"""PromptLooper settings: one module, everything from the environment.

Two modes share this file. With ``DATABASE_URL`` unset the instance runs on a
SQLite file with the Django-Q ORM broker and no other service
("single-container mode"); with ``DATABASE_URL=postgres://...`` it is in
production mode and ``SECRET_KEY`` and ``PROMPTLOOPER_FERNET_KEYS`` must be
given. The README lists every variable.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from promptlooper_site.env import (
    database_from_url,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_secret,
    env_str,
    persistent_secret,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("PROMPTLOOPER_DATA_DIR", str(BASE_DIR / "data"))).resolve()

DATABASES = {"default": database_from_url(env_str("DATABASE_URL"), DATA_DIR)}
PRODUCTION = DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3"
if not PRODUCTION:
    DATA_DIR.mkdir(parents=True, exist_ok=True)

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL is not None and not REDIS_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("REDIS_URL must start with redis:// or rediss://.")


def _required_in_production(name: str) -> str | None:
    value = env_secret(name)
    if value is None and PRODUCTION:
        raise ImproperlyConfigured(
            f"{name} is required when DATABASE_URL points at PostgreSQL "
            f"(set {name} or {name}_FILE)."
        )
    return value


SECRET_KEY = _required_in_production("SECRET_KEY") or persistent_secret(
    DATA_DIR / "secret_key"
)


def _new_fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


# Comma-separated; the first key encrypts, all keys decrypt (rotation).
_fernet = _required_in_production("PROMPTLOOPER_FERNET_KEYS") or persistent_secret(
    DATA_DIR / "fernet_keys", _new_fernet_key
)
FERNET_KEYS = [key.strip() for key in _fernet.split(",") if key.strip()]

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
WEB_PORT = env_int("PROMPTLOOPER_WEB_PORT", 8400, minimum=1, maximum=65535)
# The LLM simulator `runstack` starts for the demo (0: do not start it).
SIMULATOR_PORT = env_int("PROMPTLOOPER_SIMULATOR_PORT", 8499, minimum=0, maximum=65535)

INSTALLED_APPS = [
    # daphne must precede staticfiles so runserver is the ASGI one (daphne.E001).
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_q",
    "rest_framework",
    "rest_framework_simplejwt",
    "django_filters",
    "drf_spectacular",
    "experiments",
    "scoring",
    "adapters",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "promptlooper_site.urls"
ASGI_APPLICATION = "promptlooper_site.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage",
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("PROMPTLOOPER_MAX_UPLOAD_MB", 50) * 1024 * 1024

# --- Queue (django-q2) -------------------------------------------------------
# A sweep task runs for at most TASK_TIMEOUT seconds and then hands over to a
# fresh task; sweep progress lives on our rows, never in the broker
# (dependency-notes.md), so `retry` only has to exceed `timeout`.
TASK_TIMEOUT = env_int("PROMPTLOOPER_TASK_TIMEOUT", 3600, minimum=30)
Q_CLUSTER = {
    "name": "promptlooper",
    # SQLite has one writer: one worker keeps "database is locked" away.
    "workers": env_int("PROMPTLOOPER_WORKERS", 2 if PRODUCTION else 1, minimum=1),
    "timeout": TASK_TIMEOUT,
    "retry": TASK_TIMEOUT + 60,
    "max_attempts": 1,
    "catch_up": False,
    "ack_failures": True,
    "poll": 0.5,
    "label": "Django Q",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- Cache (API throttling counters) ------------------------------------------
# Shared between web processes in production; per-process in single-container
# mode, where there is one web process.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "promptlooper",
        }
    }

# --- REST API -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # JWT first: its WWW-Authenticate header makes unauthenticated calls 401.
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "experiments.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "experiments.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "experiments.api.throttling.AnonThrottle",
        "experiments.api.throttling.UserThrottle",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "experiments.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # `?format=csv|jsonl` picks an export's file format, not a renderer.
    "URL_FORMAT_OVERRIDE": None,
}
# Requests per minute; the token endpoint is the brute-force target.
API_THROTTLE_ANON = env_str("PROMPTLOOPER_THROTTLE_ANON", "60/min")
API_THROTTLE_USER = env_str("PROMPTLOOPER_THROTTLE_USER", "1200/min")
API_THROTTLE_AUTH = env_str("PROMPTLOOPER_THROTTLE_AUTH", "10/min")
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(
        minutes=env_int("PROMPTLOOPER_JWT_ACCESS_MINUTES", 30, minimum=1)
    ),
    "REFRESH_TOKEN_LIFETIME": timedelta(
        days=env_int("PROMPTLOOPER_JWT_REFRESH_DAYS", 7, minimum=1)
    ),
    "UPDATE_LAST_LOGIN": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PromptLooper API",
    "DESCRIPTION": "Sweeps of prompts x models x parameters over datasets, "
    "scored and cached. Authenticate with a JWT (`Authorization: Bearer ...`), "
    "an API key (`Authorization: Api-Key ...` or `X-API-Key`) or a session.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs page are public; the data behind them is not.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    "ENUM_NAME_OVERRIDES": {
        "SweepStatusEnum": "experiments.models.sweeps.Sweep.Status",
        "RunStatusEnum": "experiments.models.sweeps.Run.Status",
    },
}

# --- Live events (channels) --------------------------------------------------
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    # In-process only; the worker's events reach browsers through the sweep
    # event log instead (architecture.md, "Two modes").
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- PromptLooper ------------------------------------------------------------
ADMIN_USERNAME = env_str("PROMPTLOOPER_ADMIN_USER", "admin")
# Dotted paths of custom scorer classes (scoring/README.md), comma-separated.
PROMPTLOOPER_SCORERS = env_list("PROMPTLOOPER_SCORERS", [])
# Cached responses are shared within a project by default, or across all.
CACHE_SCOPE = env_choice("PROMPTLOOPER_CACHE_SCOPE", ("project", "global"), "project")
# Attempts per request (the first included) for retryable failures.
MAX_ATTEMPTS = env_int("PROMPTLOOPER_MAX_ATTEMPTS", 4, minimum=1, maximum=20)
RETRY_BASE_DELAY_S = env_float("PROMPTLOOPER_RETRY_BASE_DELAY_S", 0.5)
# Consecutive permanent errors after which a model's remaining runs fail fast.
FAIL_FAST_AFTER = env_int("PROMPTLOOPER_FAIL_FAST_AFTER", 3, minimum=1)
# A running sweep whose heartbeat is older than this is picked up again.
HEARTBEAT_STALE_S = env_int("PROMPTLOOPER_HEARTBEAT_STALE_S", 30, minimum=2)

LOG_LEVEL = env_choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"level": "INFO"},
        "httpx": {"level": "WARNING"},
    },
}
