"""The container's roles, run for real without a container: the entrypoint
(deploy/entrypoint.sh) starts ``migrate``, ``web``, ``worker`` and ``mcp``
against this machine's PostgreSQL (a database of the test's own) and Redis
(database 13), with nginx in front on loopback running the project's config
(deploy/nginx/promptlooper.conf, rendered as the nginx image renders it).
Through nginx: the dashboard, the API, the admin, the static files, a sweep's
WebSocket stream fed by the worker, the long poll and the MCP server. Then
the single-container role ``all`` on SQLite, the health checks, the wait for
a database that never answers, and the backup and restore commands
docs/deployment.md gives.

Needs what ``make test`` needs (PostgreSQL on 127.0.0.1:5432 with trust auth
for ``postgres``, Redis on 127.0.0.1:6379) and nginx (``.ci/run`` installs
it when missing).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import httpx
import psycopg
import pytest
import redis
from websockets.typing import Subprotocol

from agents_mcp.tests.helpers import data_of, http_client
from experiments.live.tests.helpers import Stream, open_stream, refusal
from experiments.tests.engine_helpers import extraction_spec
from promptlooper_site.tests.deploy_helpers import (
    ENTRYPOINT,
    HEALTHCHECK,
    REPO,
    SECRETS,
    Process,
    answers,
    base_env,
    children_of,
    free_port,
    nginx_binary,
    nginx_main_config,
    render_nginx_template,
)

pytestmark = pytest.mark.slow

POSTGRES = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/13"
ADMIN_PASSWORD = "deploy-admin-pass-123"
DASHBOARD_PAGE = (
    b'<!doctype html><title>stand-in</title><div id="root"></div>'
    b'<script type="module" src="/static/app/assets/entry-test.js"></script>\n'
)
DASHBOARD_ASSET = b"console.log('the dashboard stand-in');\n"


def _admin_sql(*statements: str) -> None:
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def _drop(name: str) -> str:
    return f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'


@dataclass
class Stack:
    env: dict[str, str]
    url: str  # nginx
    ws: str
    mcp_port: int
    nginx_mcp_port: int
    database: str
    root: Path
    roles: dict[str, Process] = field(default_factory=dict)
    _token: str | None = None

    def token(self) -> str:
        """The admin's JWT, fetched once through nginx (the token endpoint
        is throttled per address)."""
        if self._token is None:
            answer = httpx.post(
                f"{self.url}/api/auth/token/",
                json={"username": "admin", "password": ADMIN_PASSWORD},
                timeout=20,
            )
            assert answer.status_code == 200, answer.text
            self._token = answer.json()["access"]
        return self._token

    def api(self) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.url}/api",
            headers={"Authorization": f"Bearer {self.token()}"},
            timeout=40,
        )


def _stand_in_dashboard(root: Path) -> Path:
    """A dist directory shaped like Vite's (the test is about nginx)."""
    dist = root / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_bytes(DASHBOARD_PAGE)
    (dist / "assets" / "entry-test.js").write_bytes(DASHBOARD_ASSET)
    return dist


def _start_nginx(root: Path, values: dict[str, str], port: int) -> Process:
    site = root / "promptlooper.conf"
    site.write_text(render_nginx_template(values))
    main = nginx_main_config(root, site)
    argv = [str(nginx_binary()), "-p", str(root), "-e", str(root / "logs/error.log"),
            "-c", str(main)]  # fmt: skip
    checked = subprocess.run([*argv, "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    nginx = Process("nginx", [*argv, "-g", "daemon off;"], os.environ.copy(), root)
    nginx.wait_http(f"http://127.0.0.1:{port}/", timeout=20)
    return nginx


@pytest.fixture(scope="module")
def simulator_url():
    from simulator.server import SimulatorServer

    server = SimulatorServer(port=0, latency_ms=100, jitter_ms=0).start()
    yield server.base_url
    server.stop()


@dataclass
class SingleContainer:
    process: Process
    env: dict[str, str]


@pytest.fixture(scope="module")
def single_container(tmp_path_factory):
    """The ``all`` role on SQLite in a data directory of its own, started
    without waiting: the stack asks for it first, so that its start-up runs
    while PostgreSQL migrates (which mostly waits on the disk)."""
    root = tmp_path_factory.mktemp("all")
    env = base_env(
        PROMPTLOOPER_DATA_DIR=str(root / "data"),
        PROMPTLOOPER_WEB_PORT=str(free_port()),
        PROMPTLOOPER_MCP_PORT=str(free_port()),
        PROMPTLOOPER_SIMULATOR_PORT="0",
        PROMPTLOOPER_ADMIN_PASSWORD=ADMIN_PASSWORD,
        PROMPTLOOPER_ROLE_FILE=str(root / "role"),
        STATIC_ROOT=str(root / "static"),
    )
    process = Process("all", [str(ENTRYPOINT), "all"], env, root)
    yield SingleContainer(process, env)
    process.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, simulator_url, single_container):
    root = tmp_path_factory.mktemp("deploy")
    database = f"pl_deploy_{os.getpid()}"
    _admin_sql(_drop(database), f'CREATE DATABASE "{database}"')
    redis.Redis.from_url(REDIS).flushdb()
    web_port, mcp_port = free_port(), free_port()
    nginx_port, nginx_mcp_port = free_port(), free_port()
    env = base_env(
        DATABASE_URL=f"{POSTGRES}/{database}",
        REDIS_URL=REDIS,
        STATIC_ROOT=str(root / "static"),
        PROMPTLOOPER_WEB_PORT=str(web_port),
        PROMPTLOOPER_MCP_PORT=str(mcp_port),
        PROMPTLOOPER_ADMIN_PASSWORD=ADMIN_PASSWORD,
        PROMPTLOOPER_WORKERS="1",
        PROMPTLOOPER_TRUSTED_PROXIES="1",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # As behind a TLS proxy: nginx passes X-Forwarded-Proto on (the test
        # sends it as the proxy would); the cookies go over plain http here.
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto=https",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        **SECRETS,
    )
    stack = Stack(
        env=env,
        url=f"http://127.0.0.1:{nginx_port}",
        ws=f"ws://127.0.0.1:{nginx_port}",
        mcp_port=mcp_port,
        nginx_mcp_port=nginx_mcp_port,
        database=database,
        root=root,
    )
    processes: list[Process] = []
    try:
        # The image runs collectstatic when it is built; here, beside migrate.
        collect = Process(
            "collectstatic",
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            env,
            root,
        )
        migrate = Process("migrate", [str(ENTRYPOINT), "migrate"], env, root)
        processes += [collect, migrate]
        assert migrate.proc.wait(timeout=180) == 0, migrate.log()
        assert "Admin user created: admin" in migrate.log()
        assert collect.proc.wait(timeout=120) == 0, collect.log()
        for role in ("web", "worker", "mcp"):
            role_env = {**env, "PROMPTLOOPER_ROLE_FILE": str(root / f"{role}.role")}
            stack.roles[role] = Process(role, [str(ENTRYPOINT), role], role_env, root)
            processes.append(stack.roles[role])
        stack.roles["web"].wait_http(f"http://127.0.0.1:{web_port}/admin/login/")
        stack.roles["mcp"].wait_http(f"http://127.0.0.1:{mcp_port}/mcp")
        (root / "nginx").mkdir()
        nginx = _start_nginx(
            root / "nginx",
            {
                "PROMPTLOOPER_LISTEN": f"127.0.0.1:{nginx_port}",
                "PROMPTLOOPER_MCP_LISTEN": f"127.0.0.1:{nginx_mcp_port}",
                "PROMPTLOOPER_API_UPSTREAM": f"127.0.0.1:{web_port}",
                "PROMPTLOOPER_MCP_UPSTREAM": f"127.0.0.1:{mcp_port}",
                "PROMPTLOOPER_RESOLVER": "127.0.0.1",
                "PROMPTLOOPER_DASHBOARD_ROOT": str(_stand_in_dashboard(root)),
                "PROMPTLOOPER_MAX_UPLOAD_MB": "50",
            },
            nginx_port,
        )
        processes.append(nginx)
        yield stack
    finally:
        for process in reversed(processes):
            process.stop()
        _admin_sql(_drop(database), _drop(f"{database}_restored"))
        redis.Redis.from_url(REDIS).flushdb()


def test_nginx_serves_the_dashboard_page_for_its_routes(stack):
    for path in ("/", "/sweeps/1", "/projects/3/experiments/12?tab=runs"):
        page = httpx.get(f"{stack.url}{path}", timeout=10)
        assert page.status_code == 200, path
        assert page.content == DASHBOARD_PAGE
        assert page.headers["cache-control"] == "no-cache"
    asset = httpx.get(f"{stack.url}/static/app/assets/entry-test.js", timeout=10)
    assert asset.status_code == 200
    assert asset.content == DASHBOARD_ASSET
    assert "immutable" in asset.headers["cache-control"]
    missing = httpx.get(f"{stack.url}/static/app/assets/no-such.js", timeout=10)
    assert missing.status_code == 404


def test_the_api_through_nginx_sees_the_browsers_host_and_scheme(stack):
    with stack.api() as api:
        root = api.get("/")
        assert root.status_code == 200, root.text
        # Absolute links name nginx's address, so the Host went through.
        assert root.json()["projects"] == f"{stack.url}/api/projects/"
        # A TLS proxy's X-Forwarded-Proto goes through to Django.
        secure = api.get("/", headers={"X-Forwarded-Proto": "https"})
        assert secure.json()["projects"].startswith("https://127.0.0.1:")
    schema = httpx.get(f"{stack.url}/api/schema/", timeout=30)
    assert schema.status_code == 200
    assert "openapi" in schema.text[:200]
    anonymous = httpx.get(f"{stack.url}/api/projects/", timeout=10)
    assert anonymous.status_code == 401


def test_signing_in_to_the_admin_through_nginx(stack):
    with httpx.Client(base_url=stack.url, timeout=20) as browser:
        form = browser.get("/admin/login/")
        assert form.status_code == 200
        token = browser.cookies["csrftoken"]
        signed_in = browser.post(
            "/admin/login/?next=/admin/",
            data={
                "username": "admin",
                "password": ADMIN_PASSWORD,
                "csrfmiddlewaretoken": token,
                "next": "/admin/",
            },
            headers={"Origin": stack.url, "Referer": f"{stack.url}/admin/login/"},
        )
        assert signed_in.status_code == 302, signed_in.text[:500]
        assert signed_in.headers["location"] == "/admin/"
        index = browser.get("/admin/")
        assert index.status_code == 200
        assert "PromptLooper admin" in index.text
        assert 'id="logout-form"' in index.text  # signed in
        # The admin's static files, from the web server's WhiteNoise.
        css = browser.get("/static/admin/css/base.css")
        assert css.status_code == 200
        assert css.headers["content-type"].startswith("text/css")


def _start_sweep(stack: Stack, simulator_url: str, project: str) -> int:
    with stack.api() as api:
        assert api.post("/projects/", json={"name": project}).status_code == 201
        spec = extraction_spec(
            simulator_url, n_items=3, name=f"{project}-check", project=project
        )
        experiment = api.post("/experiments/", json=spec)
        assert experiment.status_code == 201, experiment.text
        sweep = api.post(f"/experiments/{experiment.json()['id']}/sweeps/", json={})
        assert sweep.status_code == 202, sweep.text
        return sweep.json()["id"]


def test_a_sweep_the_worker_runs_streams_over_a_websocket_through_nginx(
    stack, simulator_url
):
    sweep = _start_sweep(stack, simulator_url, "streamed")
    # As a browser on this site: its Origin, a bearer credential.
    stream: Stream = open_stream(
        stack,
        f"/ws/sweeps/{sweep}/",
        subprotocols=["bearer", stack.token()],
        headers={"Origin": stack.url},
        after=0,
    )
    try:
        assert stream.conn.subprotocol == Subprotocol("bearer")
        hello = stream.wait_for(lambda m: m["type"] == "hello")
        assert hello["sweep"]["id"] == sweep
        done = stream.wait_for(
            lambda m: (
                m["type"] == "sweep.status"
                and m["payload"]["status"] in ("completed", "failed")
            ),
            timeout=60,
        )
        assert done["payload"]["status"] == "completed"
        seqs = [m["seq"] for m in stream.events()]
        assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))
        assert any(m["type"] == "run.batch" for m in stream.events())
    finally:
        stream.close()
    # A page of another site is refused the socket, credential or not.
    status, _ = refusal(
        stack,
        f"/ws/sweeps/{sweep}/",
        subprotocols=["bearer", stack.token()],
        headers={"Origin": "http://evil.example"},
    )
    assert status == 403

    # The long poll through nginx: it waits, then answers empty.
    last = done["seq"]
    started = time.monotonic()
    with stack.api() as api:
        polled = api.get(f"/sweeps/{sweep}/events/", params={"after": last, "wait": 3})
    assert polled.status_code == 200, polled.text
    assert polled.json() == {"events": [], "last_seq": last}
    assert time.monotonic() - started >= 2.5
    with stack.api() as api:
        replay = api.get(f"/sweeps/{sweep}/events/", params={"after": 0, "wait": 0})
    assert replay.json()["last_seq"] == last


def _mcp_projects(url: str, key: str) -> list[str]:
    async def main():
        async with http_client(url, key) as client:
            tools = {tool.name for tool in (await client.list_tools()).tools}
            assert {"list_projects", "start_sweep"} <= tools
            listed = data_of(await client.call_tool("list_projects", {}))
            return sorted(row["name"] for row in listed["projects"])

    return anyio.run(main)


def test_the_mcp_server_answers_through_nginx_on_both_its_ports(stack):
    with stack.api() as api:
        assert api.post("/projects/", json={"name": "agents"}).status_code == 201
        made = api.post("/api-keys/", json={"name": "mcp"})
        assert made.status_code == 201, made.text
        key = made.json()["key"]
    beside_the_api = _mcp_projects(f"{stack.url}/mcp", key)
    assert "agents" in beside_the_api
    own_port = f"http://127.0.0.1:{stack.nginx_mcp_port}/mcp"
    assert _mcp_projects(own_port, key) == beside_the_api
    # The server itself, as nginx reaches it.
    direct = f"http://127.0.0.1:{stack.mcp_port}/mcp"
    assert _mcp_projects(direct, key) == beside_the_api
    for url in (f"{stack.url}/mcp", own_port):
        assert httpx.post(url, json={}, timeout=10).status_code == 401


def _healthcheck(env: dict[str, str], *role: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(HEALTHCHECK), *role],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_health_checks_pass_for_running_roles_and_fail_for_missing_ones(stack):
    for role in ("web", "mcp"):
        done = _healthcheck(stack.env, role)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.strip() == f"healthy ({role})"
    # The worker's cluster reports itself once it runs (within seconds).
    deadline = time.monotonic() + 30
    while (done := _healthcheck(stack.env, "worker")).returncode != 0:
        assert time.monotonic() < deadline, done.stdout + done.stderr
        time.sleep(1)
    assert done.stdout.strip() == "healthy (worker)"
    # Without an argument: the role the entrypoint recorded.
    recorded = {**stack.env, "PROMPTLOOPER_ROLE_FILE": str(stack.root / "web.role")}
    assert _healthcheck(recorded).stdout.strip() == "healthy (web)"
    closed = {**stack.env, "PROMPTLOOPER_WEB_PORT": str(free_port())}
    done = _healthcheck(closed, "web")
    assert done.returncode == 1
    assert done.stdout.startswith("unhealthy (web): no answer on port")
    # No cluster reports from this host under another Redis database.
    elsewhere = {**stack.env, "REDIS_URL": "redis://127.0.0.1:6379/14"}
    done = _healthcheck(elsewhere, "worker")
    assert done.returncode == 1
    assert "no worker cluster on" in done.stdout


def _documented_command(marker: str) -> str:
    """The shell command after ``<!-- marker -->`` in docs/deployment.md."""
    text = (REPO / "docs" / "deployment.md").read_text()
    block = re.search(rf"<!-- {marker} -->\s*```sh\n(.*?)```", text, flags=re.S)
    assert block, f"no {marker} block in docs/deployment.md"
    return block.group(1).strip()


def _in_the_database_container(command: str, database: str, cwd: Path):
    """The documented command as the db container runs it: ``docker compose
    exec -T promptlooper-db`` dropped, POSTGRES_* as the container sets them
    (plus the host, which the container does not need)."""
    prefix = "docker compose exec -T promptlooper-db "
    assert command.startswith(prefix), command
    env = {**os.environ, "POSTGRES_USER": "postgres", "POSTGRES_DB": database,
           "PGHOST": "127.0.0.1"}  # fmt: skip
    return subprocess.run(
        command.removeprefix(prefix),
        shell=True,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _counts(database: str) -> dict[str, int]:
    tables = ("auth_user", "experiments_project", "experiments_experiment",
              "experiments_sweep", "experiments_run", "django_migrations")  # fmt: skip
    with psycopg.connect(f"{POSTGRES}/{database}") as conn:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in tables
        }


def test_the_documented_backup_and_restore_commands_round_trip(stack, tmp_path):
    # Something worth keeping: the admin, and a project made through nginx.
    with stack.api() as api:
        assert api.post("/projects/", json={"name": "kept"}).status_code == 201
    backup = _documented_command("backup")
    done = _in_the_database_container(backup, stack.database, tmp_path)
    assert done.returncode == 0, done.stderr
    dump = tmp_path / "promptlooper.dump"
    assert dump.stat().st_size > 0
    restored = f"{stack.database}_restored"
    _admin_sql(_drop(restored), f'CREATE DATABASE "{restored}"')
    restore = _documented_command("restore")
    done = _in_the_database_container(restore, restored, tmp_path)
    assert done.returncode == 0, done.stderr
    assert _counts(restored) == _counts(stack.database)
    assert _counts(restored)["experiments_project"] >= 1


def test_every_role_waits_for_the_database_and_says_when_it_never_answers():
    closed = free_port()
    env = base_env(
        DATABASE_URL=f"postgres://postgres:hunter2@127.0.0.1:{closed}/nothing",
        PROMPTLOOPER_WAIT_TIMEOUT_S="2",
        **SECRETS,
    )
    started = time.monotonic()
    done = subprocess.run(
        [str(ENTRYPOINT), "web"], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    assert time.monotonic() - started < 30
    message = done.stderr.strip().splitlines()[-1]
    assert message.startswith(
        f"CommandError: the database (postgresql at 127.0.0.1:{closed}/nothing) "
        "did not answer within 2 s:"
    ), done.stderr
    assert "hunter2" not in done.stdout + done.stderr
    # The database answers, Redis does not: that is said too.
    env.update(
        DATABASE_URL=f"{POSTGRES}/postgres", REDIS_URL=f"redis://127.0.0.1:{closed}/0"
    )
    done = subprocess.run(
        [str(ENTRYPOINT), "worker"], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    assert f"Redis (127.0.0.1:{closed}/0) did not answer within 2 s" in done.stderr


def test_the_single_container_role_runs_web_worker_and_mcp_on_sqlite(
    single_container,
):
    everything, env = single_container.process, single_container.env
    web = f"http://127.0.0.1:{env['PROMPTLOOPER_WEB_PORT']}"
    mcp = f"http://127.0.0.1:{env['PROMPTLOOPER_MCP_PORT']}/mcp"
    try:
        everything.wait_http(f"{web}/admin/login/", timeout=90)
        everything.wait_http(mcp, timeout=30)
        assert httpx.get(f"{web}/admin/login/", timeout=10).status_code == 200
        assert httpx.post(mcp, timeout=10).status_code == 401
        token = httpx.post(
            f"{web}/api/auth/token/",
            json={"username": "admin", "password": ADMIN_PASSWORD},
            timeout=20,
        )
        assert token.status_code == 200, token.text
        # runstack is the entrypoint's process itself (exec), with the three
        # servers as its children; the data (and its secrets) in the volume.
        children = " | ".join(children_of(everything.pid))
        for server in ("daphne", "qcluster", "mcp_server"):
            assert server in children, children
        data = Path(env["PROMPTLOOPER_DATA_DIR"])
        assert (data / "promptlooper.sqlite3").is_file()
        assert {"secret_key", "fernet_keys"} <= {p.name for p in data.iterdir()}
        assert Path(env["PROMPTLOOPER_ROLE_FILE"]).read_text().strip() == "all"
        health = _healthcheck(env)
        assert health.returncode == 0, health.stdout
        assert health.stdout.strip() == "healthy (all)"
    finally:
        code = everything.stop(grace=20)
    # A container's `docker stop`: everything stops, cleanly.
    assert code == 0, everything.log()[-3000:]
    assert not answers(f"{web}/admin/login/")


def test_a_command_that_is_no_role_runs_as_given(tmp_path):
    env = base_env(**SECRETS)
    done = subprocess.run(
        [str(ENTRYPOINT), "sh", "-c", "echo ran in $(pwd)"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"ran in {REPO}"
    listed = subprocess.run(
        [str(ENTRYPOINT), "manage", "showmigrations", "experiments", "--plan"],
        cwd=tmp_path,
        env={**env, "PROMPTLOOPER_DATA_DIR": str(tmp_path / "data")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listed.returncode == 0, listed.stderr
    assert "experiments.0001_initial" in listed.stdout
