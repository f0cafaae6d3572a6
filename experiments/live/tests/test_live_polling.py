"""The polling fallback, ``GET /api/sweeps/{id}/events/``: the same events as
the socket, scoped like the other sweep endpoints, and a long poll that
waits without holding up the server's other requests."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest

from experiments.engine.events import events_after
from experiments.models import Sweep
from experiments.tests.api_helpers import client_as

LONG_POLLS = 10  # more than a default thread pool has threads on 2 cores (6)


@pytest.mark.django_db
def test_events_answer_as_the_other_sweep_endpoints_do(world):
    sweep = world.ids["sweep"]
    url = f"/api/sweeps/{sweep}/events/"
    answers = {
        who: client_as(world, who).get(url, {"after": 0, "wait": 0}).status_code
        for who in ("owner", "viewer", "outsider", "key_own", "key_other", "anon")
    }
    assert answers == {
        "owner": 200,
        "viewer": 200,
        "outsider": 404,
        "key_own": 200,
        "key_other": 404,
        "anon": 401,
    }
    viewer = client_as(world, "viewer")
    body = viewer.get(url, {"after": 0, "wait": 0}).json()
    assert body == {
        "events": events_after(sweep, 0),
        "last_seq": Sweep.objects.get(pk=sweep).last_event_seq,
    }
    assert body["events"], "a new sweep has its first events"
    for bad in ({"after": -1}, {"after": "x"}, {"wait": 26}, {"wait": -1}):
        reply = viewer.get(url, bad)
        assert reply.status_code == 400, bad
        assert reply.json()["errors"][0]["path"] in bad


@pytest.mark.django_db
def test_the_schema_documents_the_events_endpoint(world):
    reply = client_as(world, "anon").get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    schema = json.loads(reply.content)
    operation = schema["paths"]["/api/sweeps/{id}/events/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"id", "after", "wait"}
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/SweepEvents")
    event = schema["components"]["schemas"]["EventMessage"]["properties"]
    assert set(event) == {"type", "seq", "id", "sweep", "project", "at", "payload"}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_long_polls_wait_for_the_next_event_and_block_no_other_request(
    web, world, token
):
    sweep = world.ids["sweep"]
    seq = Sweep.objects.get(pk=sweep).last_event_seq
    answers: list[tuple[float, httpx.Response]] = []

    def long_poll() -> None:
        with web.api(token(world.users["viewer"])) as api:
            reply = api.get(f"/sweeps/{sweep}/events/", params={"after": seq})
            answers.append((time.monotonic(), reply))

    polls = [threading.Thread(target=long_poll) for _ in range(LONG_POLLS)]
    for poll in polls:
        poll.start()
    time.sleep(1.0)  # all of them waiting now
    with web.api(token(world.users["editor"])) as api:
        for _ in range(5):
            started = time.monotonic()
            assert api.get("/projects/").status_code == 200
            assert time.monotonic() - started < 1.0
        assert answers == []
        paused = time.monotonic()
        assert api.post(f"/sweeps/{sweep}/pause/").status_code == 200
    for poll in polls:
        poll.join(timeout=30)
    assert len(answers) == LONG_POLLS
    for answered, reply in answers:
        assert answered - paused < 1.5
        events = reply.json()["events"]
        assert events == events_after(sweep, seq)[: len(events)]
        assert events[0]["type"] == "steering"
        assert reply.json()["last_seq"] == events[-1]["seq"]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_long_poll_with_nothing_new_answers_empty_when_its_wait_ends(
    web, world, token
):
    sweep = world.ids["sweep"]
    seq = Sweep.objects.get(pk=sweep).last_event_seq
    with web.api(token(world.users["viewer"])) as api:
        started = time.monotonic()
        reply = api.get(f"/sweeps/{sweep}/events/", params={"after": seq, "wait": 2})
        waited = time.monotonic() - started
    assert reply.json() == {"events": [], "last_seq": seq}
    assert 1.9 < waited < 4.0
