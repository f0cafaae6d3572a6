"""The deployment files, checked without a Docker engine: docker-compose.yml
by the Compose binary itself (``config -q``, and the conventions from the
configuration it parses), the Dockerfile by hadolint, .env.example against
every variable there is, and the nginx config's time-outs against what the
endpoints behind it need."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from experiments.live.longpoll import MAX_WAIT_S
from promptlooper_site.tests.deploy_helpers import (
    COMPOSE_FILE,
    ENV_EXAMPLE,
    NGINX_TEMPLATE,
    REPO,
    compose_binary,
    hadolint_binary,
)
from promptlooper_site.tests.test_docs_configuration import (
    documented_names,
    names_in_settings_source,
)

APP_SERVICES = ("promptlooper-migrate", "promptlooper-api", "promptlooper-worker",
                "promptlooper-mcp")  # fmt: skip
SERVICES = ("promptlooper-db", "promptlooper-redis", *APP_SERVICES, "promptlooper-web")
_VAR_LINE = re.compile(r"^(?:# )?([A-Z][A-Z0-9_]*)=")


@pytest.fixture
def project_dir(tmp_path) -> Path:
    """The compose file beside an .env made from .env.example with its
    required values filled in, as an operator's first step makes it."""
    shutil.copy(COMPOSE_FILE, tmp_path / "docker-compose.yml")
    env = ENV_EXAMPLE.read_text()
    for name in ("POSTGRES_PASSWORD", "SECRET_KEY", "PROMPTLOOPER_FERNET_KEYS"):
        env = env.replace(f"\n{name}=\n", f"\n{name}=filled-{name.lower()}\n")
    (tmp_path / ".env").write_text(env)
    return tmp_path


def compose(project: Path, *args: str, file: str | None = None):
    """The Compose binary in ``project``: its docker-compose.yml (and an
    override beside it, as Compose reads one), or only ``file``."""
    return subprocess.run(
        [str(compose_binary()), *(["-f", file] if file else []), *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def config(project_dir) -> dict:
    done = compose(project_dir, "config", "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_compose_binary_accepts_the_compose_file(project_dir):
    done = compose(project_dir, "config", "-q")
    assert done.returncode == 0, done.stderr


def test_the_compose_binary_rejects_a_broken_file(project_dir):
    text = (project_dir / "docker-compose.yml").read_text()
    broken = text.replace("service_completed_successfully", "service_finished")
    assert broken != text
    (project_dir / "broken.yml").write_text(broken)
    done = compose(project_dir, "config", "-q", file="broken.yml")
    assert done.returncode != 0
    assert "condition" in done.stderr


def test_the_compose_file_refuses_to_run_without_the_database_password(project_dir):
    (project_dir / ".env").write_text("SECRET_KEY=x\n")
    done = compose(project_dir, "config", "-q")
    assert done.returncode != 0
    assert "set POSTGRES_PASSWORD in .env" in done.stderr


def test_project_network_and_container_names_follow_the_house_conventions(config):
    assert config["name"] == "xpltd_promptlooper"
    assert sorted(config["services"]) == sorted(SERVICES)
    network = config["networks"]["promptlooper"]
    assert network["name"] == "promptlooper"
    assert [c["subnet"] for c in network["ipam"]["config"]] == ["172.33.0.0/24"]
    for name, service in config["services"].items():
        assert list(service["networks"]) == ["promptlooper"], name
        if name == "promptlooper-worker":
            # --scale needs a name per copy: Compose numbers them.
            assert "container_name" not in service
        else:
            assert service["container_name"] == name


def published(service: dict) -> list[tuple[str, int]]:
    return [(p["published"], p["target"]) for p in service.get("ports", [])]


def test_only_the_database_and_nginx_publish_ports(config):
    services = config["services"]
    assert published(services["promptlooper-db"]) == [("5434", 5432)]
    # The web UI and API on 8400, the MCP server on 8401: both through nginx,
    # whose X-Forwarded-For the services can then believe.
    assert published(services["promptlooper-web"]) == [("8400", 8400), ("8401", 8401)]
    for name in ("promptlooper-redis", *APP_SERVICES):
        assert published(services[name]) == [], name
    assert services["promptlooper-mcp"]["expose"] == ["8401"]
    assert services["promptlooper-api"]["expose"] == ["8400"]


def test_the_database_and_redis_keep_their_data_in_the_bind_mounts(config):
    services = config["services"]
    assert services["promptlooper-db"]["image"] == "postgres:16"
    assert services["promptlooper-redis"]["image"] == "redis:7"
    mounts = {
        name: [(v["type"], v["source"], v["target"]) for v in services[name]["volumes"]]
        for name in ("promptlooper-db", "promptlooper-redis")
    }
    assert mounts == {
        "promptlooper-db": [
            ("bind", "/vmPool/r/services/promptlooper_db", "/var/lib/postgresql/data")
        ],
        "promptlooper-redis": [
            ("bind", "/vmPool/r/services/promptlooper_redis", "/data")
        ],
    }
    # Persistence: the append-only file.
    command = services["promptlooper-redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"


def test_every_python_role_runs_the_one_image_with_its_own_command(config):
    services = config["services"]
    roles = {name: services[name]["command"] for name in APP_SERVICES}
    assert roles == {
        "promptlooper-migrate": ["migrate"],
        "promptlooper-api": ["web"],
        "promptlooper-worker": ["worker"],
        "promptlooper-mcp": ["mcp"],
    }
    images = {services[name]["image"] for name in APP_SERVICES}
    assert images == {"promptlooper:latest"}
    for name in APP_SERVICES:
        assert services[name]["build"]["target"] == "runtime"
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://promptlooper:")
        assert environment["DATABASE_URL"].endswith(
            "@promptlooper-db:5432/promptlooper"
        )
        assert environment["REDIS_URL"] == "redis://promptlooper-redis:6379/0"
    assert services["promptlooper-web"]["build"]["target"] == "web"


def test_services_wait_for_what_they_need_to_be_healthy(config):
    services = config["services"]

    def conditions(name: str) -> dict[str, str]:
        return {dep: v["condition"] for dep, v in services[name]["depends_on"].items()}

    ready = {
        "promptlooper-db": "service_healthy",
        "promptlooper-redis": "service_healthy",
    }
    assert conditions("promptlooper-migrate") == ready
    migrated = {**ready, "promptlooper-migrate": "service_completed_successfully"}
    for name in ("promptlooper-api", "promptlooper-worker", "promptlooper-mcp"):
        assert conditions(name) == migrated, name
    assert conditions("promptlooper-web") == {
        "promptlooper-api": "service_healthy",
        "promptlooper-mcp": "service_healthy",
    }
    for name in SERVICES:
        if name == "promptlooper-migrate":  # one-shot: it exits, it is not "up"
            assert "healthcheck" not in services[name]
            continue
        assert services[name]["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name
    roles = {
        name: services[name]["healthcheck"]["test"][-1]
        for name in ("promptlooper-api", "promptlooper-worker", "promptlooper-mcp")
    }
    assert roles == {
        "promptlooper-api": "web",
        "promptlooper-worker": "worker",
        "promptlooper-mcp": "mcp",
    }


def _secret_like(name: str) -> bool:
    return any(word in name for word in ("PASSWORD", "SECRET", "KEY"))


def test_no_secret_is_written_in_the_compose_file():
    raw = yaml.safe_load(COMPOSE_FILE.read_text())
    found = []

    def walk(node, path=""):
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}")
                if _secret_like(str(key).upper()) and isinstance(value, str | int):
                    found.append((f"{path}.{key}", str(value)))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}[{index}]")

    walk(raw)
    assert found  # the walk sees POSTGRES_PASSWORD at least
    for where, value in found:
        assert value.startswith("${"), f"{where} is written in the file: {value}"
    # DATABASE_URL carries the password only as a reference too.
    url = raw["x-app"]["environment"]["DATABASE_URL"]
    assert ":${POSTGRES_PASSWORD:?" in url


def test_the_python_services_read_their_settings_from_dot_env(config):
    for name in APP_SERVICES:
        environment = config["services"][name]["environment"]
        # From .env (via env_file), not from the compose file.
        assert environment["SECRET_KEY"] == "filled-secret_key", name
    raw = yaml.safe_load(COMPOSE_FILE.read_text())
    assert raw["x-app"]["env_file"] == ".env"
    # The database and nginx get only what they need, not the app's secrets.
    for name in ("promptlooper-db", "promptlooper-redis", "promptlooper-web"):
        assert "SECRET_KEY" not in (config["services"][name].get("environment") or {})


def test_secrets_stay_out_of_the_image_and_the_repository():
    ignored = (REPO / ".dockerignore").read_text().splitlines()
    assert ".env" in ignored and ".env.*" in ignored and "!.env.example" in ignored
    assert "/.env" in (REPO / ".gitignore").read_text().splitlines()
    # The build's throwaway data directory (secrets generated on import) goes.
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "PROMPTLOOPER_DATA_DIR=/tmp/build-data python manage.py collectstatic" in (
        dockerfile
    )
    assert "rm -rf /tmp/build-data" in dockerfile


def test_hadolint_passes_the_dockerfile():
    done = subprocess.run(
        [str(hadolint_binary()), "--no-color", "Dockerfile"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_fails_a_dockerfile_with_a_problem(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python\nRUN apt-get install gcc\n")
    done = subprocess.run(
        [str(hadolint_binary()), "--no-color", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "DL3006" in done.stdout


def test_the_runtime_image_is_python_312_without_root_or_build_tools():
    stages = re.split(r"^FROM ", (REPO / "Dockerfile").read_text(), flags=re.M)[1:]
    named = {stage.split()[2]: stage for stage in stages}
    assert list(named) == ["dashboard", "python-deps", "web", "runtime"]
    assert named["dashboard"].startswith("node:20")
    assert "npm run build" in named["dashboard"]
    runtime = named["runtime"]
    assert runtime.startswith("python:3.12-slim")
    assert re.search(r"^USER 10001:10001$", runtime, flags=re.M)
    assert "HEALTHCHECK" in runtime
    assert 'ENTRYPOINT ["/app/deploy/entrypoint.sh"]' in runtime
    # Dependencies come in as a built virtualenv; nothing installs here.
    for tool in ("apt-get", "pip install", "gcc", "npm"):
        assert tool not in runtime, tool
    assert "COPY --from=python-deps /opt/venv /opt/venv" in runtime
    assert "COPY --from=dashboard /src/frontend/dist" in runtime


def env_example_lines() -> list[str]:
    return ENV_EXAMPLE.read_text().splitlines()


def test_env_example_lists_every_variable_with_its_meaning():
    lines = env_example_lines()
    listed = {}
    for index, line in enumerate(lines):
        if match := _VAR_LINE.match(line):
            before = lines[index - 1]
            meaning = before.startswith("# ") and not _VAR_LINE.match(before)
            assert meaning, f"no explanation above {line!r}"
            listed[match.group(1)] = line
    settings = names_in_settings_source() | {"PROMPTLOOPER_ADMIN_PASSWORD"}
    compose_vars = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", COMPOSE_FILE.read_text()))
    entrypoint_vars = set(
        re.findall(
            r"\$\{([A-Z][A-Z0-9_]*)", (REPO / "deploy/entrypoint.sh").read_text()
        )
    )
    missing = (settings | compose_vars | entrypoint_vars) - set(listed)
    assert sorted(missing) == []
    # Nothing made up: each is a setting, a compose variable or an example key.
    unknown = set(listed) - settings - compose_vars - entrypoint_vars
    assert unknown <= {"PROMPTLOOPER_KEY_OPENAI"}
    # The required ones are set (empty), the rest show their default.
    for name in ("POSTGRES_PASSWORD", "SECRET_KEY", "PROMPTLOOPER_FERNET_KEYS"):
        assert listed[name] == f"{name}=", name


def test_every_deployment_variable_is_documented():
    deployment = (REPO / "docs" / "deployment.md").read_text()
    in_deployment = set(re.findall(r"`([A-Z][A-Z0-9_]*)`", deployment))
    nginx_vars = set(
        re.findall(r"\$\{(PROMPTLOOPER_[A-Z0-9_]*)\}", NGINX_TEMPLATE.read_text())
    )
    listed = {
        m.group(1) for line in env_example_lines() if (m := _VAR_LINE.match(line))
    }
    undocumented = (listed | nginx_vars) - in_deployment - documented_names()
    assert sorted(undocumented) == []


def nginx_directives(name: str) -> dict[str, str]:
    """The value of ``name`` per location of the nginx template (``server``
    for the server block's own)."""
    found: dict[str, str] = {}
    where = "server"
    for line in NGINX_TEMPLATE.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("location "):
            where = line.removeprefix("location ").removesuffix("{").strip()
        elif line == "}":
            where = "server"
        elif line.startswith(f"{name} "):
            found[where] = line.removeprefix(f"{name} ").rstrip(";")
    return found


def _seconds(value: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    return float(value[:-1]) * units[value[-1]] if value[-1] in units else float(value)


def test_nginx_waits_longer_than_the_long_poll_and_keeps_sockets_open():
    timeouts = nginx_directives("proxy_read_timeout")
    # /api inherits the server's: the poll's wait plus time to answer.
    assert "/api" not in timeouts
    assert _seconds(timeouts["server"]) >= MAX_WAIT_S + 30
    assert _seconds(timeouts["/ws/"]) >= 3600
    assert _seconds(timeouts["/mcp"]) >= 3600
    assert _seconds(timeouts["/"]) >= 3600  # the MCP port's server
    buffering = nginx_directives("proxy_buffering")
    assert buffering["/ws/"] == buffering["/mcp"] == "off"


def test_the_documented_tls_override_publishes_on_loopback_only(project_dir):
    text = (REPO / "docs" / "deployment.md").read_text()
    block = re.search(r"<!-- tls-override -->\s*```yaml\n(.*?)```", text, flags=re.S)
    assert block, "no tls-override block in docs/deployment.md"
    (project_dir / "docker-compose.override.yml").write_text(block.group(1))
    done = compose(project_dir, "config", "--format", "json")
    assert done.returncode == 0, done.stderr
    services = json.loads(done.stdout)["services"]
    for name, ports in (("promptlooper-web", ["8400", "8401"]),
                        ("promptlooper-db", ["5434"])):  # fmt: skip
        found = [(p["host_ip"], p["published"]) for p in services[name]["ports"]]
        assert found == [("127.0.0.1", port) for port in ports], name
