"""PromptLooper settings: one module, everything from the environment.

Two modes share this file. With ``DATABASE_URL`` unset the instance runs on a
SQLite file with the Django-Q ORM broker and no other service
("single-container mode"); with ``DATABASE_URL=postgres://...`` it is in
production mode and ``SECRET_KEY`` and ``PROMPTLOOPER_FERNET_KEYS`` must be
given. docs/configuration.md lists every variable.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from promptlooper_site.env import (
    database_from_url,
    env_bool,
    env_choice,
    env_float,
    env_header,
    env_int,
    env_list,
    env_rate,
    env_secret,
    env_str,
    persistent_secret,
    private_sqlite_file,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("PROMPTLOOPER_DATA_DIR", str(BASE_DIR / "data"))).resolve()

DATABASES = {"default": database_from_url(env_str("DATABASE_URL"), DATA_DIR)}
PRODUCTION = DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3"
if not PRODUCTION:
    # Owner-only, like the secrets kept in it (env.private_sqlite_file).
    DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
    private_sqlite_file(Path(DATABASES["default"]["NAME"]))

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
    # daphne must precede staticfiles so runserver is the ASGI one (daphne.E001);
    # its config here does not load the server in every process (apps.py).
    "promptlooper_site.apps.DaphneConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_q",
    "rest_framework",
    # Not "rest_framework_simplejwt": the API uses its classes by path; as an
    # app it would only add message translations (the site is English only)
    # and import django.test into every process, each CLI start included.
    "django_filters",
    "drf_spectacular",
    "experiments",
    "agents_mcp",
    "scoring",
    "adapters",
    "simulator",
    "axes",
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
    # Last, as django-axes requires: it turns a lockout into the 429 response.
    "axes.middleware.AxesMiddleware",
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
# The dashboard: `npm run build` in frontend/ writes it here (Vite's `base`
# is STATIC_URL + "app/"). Its hashed assets are static files; index.html is
# answered for the app's routes (promptlooper_site/dashboard.py). Listed only
# once built, so a checkout without Node still passes `manage.py check`.
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
STATICFILES_DIRS = (
    [("app/assets", FRONTEND_DIST / "assets")]
    if (FRONTEND_DIST / "assets").is_dir()
    else []
)
# Vite names assets by their content's hash: browsers may keep them forever.
WHITENOISE_IMMUTABLE_FILE_TEST = rf"^/{STATIC_URL.strip('/')}/app/assets/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("PROMPTLOOPER_MAX_UPLOAD_MB", 50) * 1024 * 1024
# Files count against the same limit (Django bounds only the other fields).
FILE_UPLOAD_HANDLERS = [
    "experiments.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

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
        "experiments.api.authentication.JWTAuthentication",
        "experiments.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Security (bad input): JSON bodies bounded in size, nesting and numbers.
    "DEFAULT_PARSER_CLASSES": [
        "experiments.api.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "experiments.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Security (scoping): filter choices offer only the caller's projects' objects.
    "DEFAULT_FILTER_BACKENDS": [
        "experiments.api.filters.ScopedFilterBackend",
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
API_THROTTLE_ANON = env_rate("PROMPTLOOPER_THROTTLE_ANON", "60/min")
API_THROTTLE_USER = env_rate("PROMPTLOOPER_THROTTLE_USER", "1200/min")
API_THROTTLE_AUTH = env_rate("PROMPTLOOPER_THROTTLE_AUTH", "10/min")
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
        # Three serializers have a "role": a project member's (two) and a
        # message's; named here, their names stay put as serializers come.
        "MemberRoleEnum": "experiments.models.projects.Membership.Role",
        "MessageRoleEnum": ["system", "user", "assistant"],
    },
}

# --- Security: client addresses, login lockout, HTTPS (docs/security.md) ------
# X-Forwarded-For is believed only behind this many reverse proxies
# (promptlooper_site/client_ip.py); with 0 a client cannot choose the address
# its throttles and lockouts count against.
PROMPTLOOPER_TRUSTED_PROXIES = env_int(
    "PROMPTLOOPER_TRUSTED_PROXIES", 0, minimum=0, maximum=10
)
REST_FRAMEWORK["NUM_PROXIES"] = PROMPTLOOPER_TRUSTED_PROXIES
# Rejected API keys and bearer tokens per client address; past it, every key
# or token from that address gets 429 until the window ends (a correct one
# too, or the status would tell a guesser when it hit).
API_THROTTLE_AUTH_FAILURES = env_rate("PROMPTLOOPER_THROTTLE_AUTH_FAILURES", "20/min")
# Password logins (session, admin, token endpoint) lock per user name and
# address after AXES_FAILURE_LIMIT failures, for the cool-off (django-axes).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("PROMPTLOOPER_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(
    minutes=env_int("PROMPTLOOPER_LOGIN_COOLOFF_MINUTES", 15, minimum=1)
)
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "promptlooper_site.client_ip.client_address"
AXES_LOCKOUT_CALLABLE = "promptlooper_site.lockout.lockout_response"
# Failures are recorded; a row per successful login (every script's token
# request) would only grow.
AXES_DISABLE_ACCESS_LOG = True
# After /api/auth/login/ (Django's default /accounts/profile/ does not exist).
LOGIN_REDIRECT_URL = "/api/"
# HTTPS. Local single-container mode is plain http://127.0.0.1:8400, so
# only production mode marks cookies Secure by default; HSTS and the https
# redirect are the operator's call (a TLS proxy usually redirects itself).
SECURE_PROXY_SSL_HEADER = env_header("SECURE_PROXY_SSL_HEADER")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)

# --- Live events (channels) --------------------------------------------------
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            # Redis pub/sub ignores the database number: the prefix keeps
            # sites sharing a Redis server (different /N) apart.
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": "promptlooper" + (urlsplit(REDIS_URL).path.strip("/") or "0"),
            },
        }
    }
else:
    # In-process only; the worker's events reach browsers through the sweep
    # event log instead (architecture.md, "Two modes"). Group memberships
    # last as long as a socket (the default drops them after a day).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": 1000, "group_expiry": 10 * 365 * 86400},
        }
    }

# --- PromptLooper ------------------------------------------------------------
ADMIN_USERNAME = env_str("PROMPTLOOPER_ADMIN_USER", "admin")
# Dotted paths of custom scorer classes (docs/scorers.md), comma-separated.
PROMPTLOOPER_SCORERS = env_list("PROMPTLOOPER_SCORERS", [])
# Cached responses are shared within a project by default, or across all.
CACHE_SCOPE = env_choice("PROMPTLOOPER_CACHE_SCOPE", ("project", "global"), "project")
# Attempts per request (the first included) for retryable failures.
MAX_ATTEMPTS = env_int("PROMPTLOOPER_MAX_ATTEMPTS", 4, minimum=1, maximum=20)
RETRY_BASE_DELAY_S = env_float("PROMPTLOOPER_RETRY_BASE_DELAY_S", 0.5)
# Consecutive permanent errors after which a model's remaining runs fail fast.
FAIL_FAST_AFTER = env_int("PROMPTLOOPER_FAIL_FAST_AFTER", 3, minimum=1)
# --- MCP server (agents_mcp): caps on every sweep an agent starts ------------
# Runs, calls and estimated cost (USD) a sweep may reach; 0 means no cap. An
# agent's own smaller budget applies as given, a larger one is lowered to these.
AGENT_MAX_RUNS = env_int("PROMPTLOOPER_AGENT_MAX_RUNS", 2000, minimum=0) or None
AGENT_MAX_CALLS = env_int("PROMPTLOOPER_AGENT_MAX_CALLS", 5000, minimum=0) or None
AGENT_MAX_COST = env_float("PROMPTLOOPER_AGENT_MAX_COST", 5.0) or None
MCP_PORT = env_int("PROMPTLOOPER_MCP_PORT", 8401, minimum=1, maximum=65535)
# A running sweep whose heartbeat is older than this is picked up again.
HEARTBEAT_STALE_S = env_int("PROMPTLOOPER_HEARTBEAT_STALE_S", 30, minimum=2)
# Sweeps finished this many days ago have their event logs thinned (progress,
# run.batch and leaderboard events but the last of each); 0 keeps everything.
EVENT_RETENTION_DAYS = env_int("PROMPTLOOPER_EVENT_RETENTION_DAYS", 0, minimum=0)
# A live stream checks its caller again (credential, membership) before an
# event goes out, at most this often: a socket outlives what it opened with.
LIVE_RECHECK_S = env_float("PROMPTLOOPER_LIVE_RECHECK_S", 5.0, minimum=0.0)

# --- Engine: a dead endpoint's circuit breaker (adapters/circuit.py) -----------
# Connection failures in a row to one endpoint after which one request probes
# it and the others wait; if the probe cannot connect either, requests to it
# fail at once with the reason for CIRCUIT_BREAKER_RESET_S, then it is probed
# again.
CIRCUIT_BREAKER_AFTER = env_int("PROMPTLOOPER_CIRCUIT_BREAKER_AFTER", 5, minimum=1)
CIRCUIT_BREAKER_RESET_S = env_float("PROMPTLOOPER_CIRCUIT_BREAKER_RESET_S", 30.0)

# --- Sweep size limits (experiments/spec/limits.py) ---------------------------
# A grid's configs (prompts x models x param values) are capped; random search
# may search a larger space as long as its runs (the budget) are within MAX_RUNS.
MAX_CONFIGS = env_int("PROMPTLOOPER_MAX_CONFIGS", 10_000, minimum=1)
MAX_RUNS = env_int("PROMPTLOOPER_MAX_RUNS", 1_000_000, minimum=1)

# --- Template limits (experiments/spec/sandbox/) ------------------------------
# One render of a prompt or rubric template may print at most this many
# characters, and no string, list or width inside it may be bigger.
TEMPLATE_MAX_OUTPUT_CHARS = env_int(
    "PROMPTLOOPER_TEMPLATE_MAX_OUTPUT_CHARS", 1_000_000, minimum=1000
)
# Wall-clock time one render may take.
TEMPLATE_MAX_RENDER_MS = env_int(
    "PROMPTLOOPER_TEMPLATE_MAX_RENDER_MS", 1000, minimum=10
)
# Loop iterations one render may run, all loops together.
TEMPLATE_MAX_LOOP_ITERATIONS = env_int(
    "PROMPTLOOPER_TEMPLATE_MAX_LOOP_ITERATIONS", 100_000, minimum=100
)
# Time the validator may spend rendering all of one spec's templates for all
# of its items (a template slow on each of many items).
TEMPLATE_VALIDATE_MS = env_int("PROMPTLOOPER_TEMPLATE_VALIDATE_MS", 10_000, minimum=100)

# --- Endpoint safety (which keys and hosts endpoints may use) -----------------
# Environment variables an endpoint's api_key_env may name: names or globs.
# PromptLooper's own settings are refused whatever this says (env.py).
ENDPOINT_KEY_ENV_ALLOWED = env_list(
    "PROMPTLOOPER_ENDPOINT_KEY_ENV_ALLOWED", ["PROMPTLOOPER_KEY_*"]
)
# Hosts endpoints may point at: names, globs (*.example.com) or IP networks
# (10.0.0.0/8). Empty: any host (the demo's simulator is on 127.0.0.1).
ENDPOINT_HOSTS_ALLOWED = env_list("PROMPTLOOPER_ENDPOINT_HOSTS_ALLOWED", [])

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
        # Lockouts are warnings; below that axes logs a banner per command
        # and lines per login (every script's token request).
        "axes": {"level": "WARNING"},
    },
}
