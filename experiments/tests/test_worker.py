"""A real qcluster executes queued tasks in this suite's mode: the ORM broker
on SQLite, the Redis broker in production mode."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.conf import settings
from django_q.models import Task
from django_q.tasks import async_task

from experiments.tests.engine_helpers import kill_worker, start_worker

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(test_db_env):
    process = start_worker(test_db_env)
    yield process
    kill_worker(process)


def test_worker_executes_a_queued_task(worker):
    broker = "redis" if settings.REDIS_URL else "orm"
    assert broker in settings.Q_CLUSTER
    task_id = async_task("math.floor", 3.7)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        task = Task.objects.filter(id=task_id).first()
        if task is not None:
            break
        assert worker.poll() is None, "the worker exited"
        time.sleep(0.3)
    else:
        pytest.fail(f"the {broker} worker did not run the task within 60 s")
    assert task.success and task.result == 3
