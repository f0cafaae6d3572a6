"""The container's health check: ``python deploy/healthcheck.py [ROLE]``.

Exit 0 when the role's process answers, 1 with the reason otherwise. The
role is the argument (docker-compose.yml names it per service) or the one
the entrypoint recorded in ``PROMPTLOOPER_ROLE_FILE`` (the image's own
HEALTHCHECK, for ``docker run``).

- ``web``: the web server answers ``/admin/login/`` with a status below 500;
- ``mcp``: the MCP server answers ``/mcp`` (401 without a key is an answer);
- ``all``: both;
- ``worker``: this host's Django-Q cluster reported itself running within
  the last seconds (its status lives in Redis; without ``REDIS_URL`` there
  is no shared status to read, and only the process's life is checked, by
  the container itself);
- ``migrate``: a one-shot role, healthy while it runs.
"""

from __future__ import annotations

import http.client
import os
import socket
import sys
from pathlib import Path

TIMEOUT_S = 4.0


def _answers(port: int, path: str) -> str | None:
    """None when 127.0.0.1:port answers ``path`` below 500, else the reason."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
    try:
        # "localhost" is in the default ALLOWED_HOSTS; a 400 for another Host
        # would still prove the server alive.
        conn.request("GET", path, headers={"Host": "localhost"})
        status = conn.getresponse().status
    except OSError as exc:
        return f"no answer on port {port} ({path}): {exc}"
    finally:
        conn.close()
    if status >= 500:
        return f"port {port} answered {path} with {status}"
    return None


def check_web() -> str | None:
    return _answers(
        int(os.environ.get("PROMPTLOOPER_WEB_PORT") or 8400), "/admin/login/"
    )


def check_mcp() -> str | None:
    return _answers(int(os.environ.get("PROMPTLOOPER_MCP_PORT") or 8401), "/mcp")


def check_worker() -> str | None:
    if not os.environ.get("REDIS_URL"):
        return None
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "promptlooper_site.settings")
    import django

    django.setup()
    from django_q.conf import Conf
    from django_q.status import Stat

    running = {str(Conf.STARTING), str(Conf.IDLE), str(Conf.WORKING)}
    host = socket.gethostname()
    mine = [stat for stat in Stat.get_all() if stat.host == host]
    if any(str(stat.status) in running for stat in mine):
        return None
    if mine:
        states = ", ".join(sorted({str(stat.status) for stat in mine}))
        return f"the worker cluster on {host} is {states}"
    return f"no worker cluster on {host} reported in the last seconds"


def _say(line: str) -> None:
    # Docker keeps the output of the last checks (docker inspect).
    sys.stdout.write(line + "\n")


CHECKS = {
    "web": [check_web],
    "mcp": [check_mcp],
    "all": [check_web, check_mcp],
    "worker": [check_worker],
    "migrate": [],
}


def main(argv: list[str]) -> int:
    if len(argv) > 1:
        role = argv[1]
    else:
        role_file = os.environ.get("PROMPTLOOPER_ROLE_FILE") or "/tmp/promptlooper-role"
        try:
            role = Path(role_file).read_text().strip()
        except OSError:
            _say(f"unhealthy: no role given and none recorded in {role_file}")
            return 1
    if role not in CHECKS:
        _say(f"unhealthy: unknown role {role!r} (one of {', '.join(CHECKS)})")
        return 1
    problems = [problem for check in CHECKS[role] if (problem := check())]
    if problems:
        _say(f"unhealthy ({role}): " + "; ".join(problems))
        return 1
    _say(f"healthy ({role})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
