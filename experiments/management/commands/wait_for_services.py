"""``python manage.py wait_for_services``: wait until the database answers,
and Redis too when ``REDIS_URL`` is set; exit 1 with what did not answer
after ``--timeout`` seconds.

The container entrypoint (deploy/entrypoint.sh) runs it before every role,
so a container started before PostgreSQL is ready waits for it instead of
crashing, and one pointed at the wrong host says so instead of hanging.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection


def _database_label() -> str:
    db = settings.DATABASES["default"]
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    if engine == "sqlite3":
        return f"the database (SQLite file {db['NAME']})"
    # Host, port and name only: never the password.
    return f"the database ({engine} at {db['HOST']}:{db['PORT']}/{db['NAME']})"


def _redis_label(url: str) -> str:
    parts = urlsplit(url)
    return f"Redis ({parts.hostname}:{parts.port or 6379}{parts.path})"


def _ping_database(timeout: float) -> None:
    # libpq reads its connect timeout from the environment: a host that drops
    # packets fails within the wait instead of hanging on TCP's own timeout.
    os.environ["PGCONNECT_TIMEOUT"] = str(max(2, round(timeout)))
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _ping_redis(timeout: float) -> None:
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout
    )
    try:
        client.ping()
    finally:
        client.close()


class Command(BaseCommand):
    help = (
        "Wait until the database (and Redis, when REDIS_URL is set) answers; "
        "exit 1 if one does not within --timeout seconds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=float, default=60.0)
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(
        self, *args: Any, timeout: float, interval: float, **options: Any
    ) -> None:
        deadline = time.monotonic() + timeout
        self._wait(_database_label(), _ping_database, deadline, timeout, interval)
        if settings.REDIS_URL:
            label = _redis_label(settings.REDIS_URL)
            self._wait(label, _ping_redis, deadline, timeout, interval)

    def _wait(
        self,
        label: str,
        ping: Callable[[float], None],
        deadline: float,
        timeout: float,
        interval: float,
    ) -> None:
        said_waiting = False
        while True:
            left = deadline - time.monotonic()
            try:
                ping(max(1.0, min(left, 5.0)))
            except Exception as exc:  # any failure to answer is "not yet"
                last_error = " ".join(str(exc).split()) or type(exc).__name__
            else:
                if said_waiting:
                    self.stdout.write(f"{label} answers.")
                return
            if time.monotonic() + interval > deadline:
                raise CommandError(
                    f"{label} did not answer within {timeout:g} s: {last_error}"
                )
            if not said_waiting:
                self.stdout.write(f"Waiting for {label}: {last_error}")
                said_waiting = True
            time.sleep(interval)
