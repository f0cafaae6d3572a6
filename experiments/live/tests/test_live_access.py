"""Who may open a live stream, with which credential, and who may steer:
a real daphne, a real WebSocket client, the API's scoping and roles."""

from __future__ import annotations

import pytest
from django.test import Client

from experiments.live.tests.helpers import Web, open_stream, refusal
from experiments.models import ApiKey, Sweep
from experiments.services.access import revoke_api_key
from experiments.services.projects import remove_member

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_member_watches_with_any_of_the_apis_credentials(web, world, token):
    sweep = world.ids["sweep"]
    path = f"/ws/sweeps/{sweep}/"
    jwt = token(world.users["viewer"])
    key = world.keys["key_own"]
    session = Client()
    session.force_login(world.users["viewer"])
    cookie = f"sessionid={session.cookies['sessionid'].value}"
    ways = {
        "jwt in the query": {"token": jwt},
        "jwt as bearer subprotocol": {"subprotocols": ["bearer", jwt]},
        "key in the query": {"key": key},
        "key as bearer subprotocol": {"subprotocols": ["bearer", key]},
        "session cookie": {"headers": {"Cookie": cookie, "Origin": web.url}},
    }
    for way, options in ways.items():
        stream = open_stream(web, path, **options)
        hello = stream.wait_for(lambda m: m["type"] == "hello", timeout=10)
        assert hello["sweep"]["id"] == sweep, way
        assert hello["seq"] == Sweep.objects.get(pk=sweep).last_event_seq, way
        if "subprotocols" in options:
            assert stream.conn.subprotocol == "bearer", way
        stream.close()


def test_refusals_do_not_tell_whether_the_sweep_exists(web, world, token):
    sweep, missing = world.ids["sweep"], 10**9
    owner = token(world.users["owner"])
    baseline = refusal(web, f"/ws/sweeps/{missing}/", token=owner)
    assert baseline[0] == 403
    # An id no row can have (past the id column) is refused alike.
    assert refusal(web, f"/ws/sweeps/{10**40}/", token=owner) == baseline
    callers = {
        "outsider": {"token": token(world.users["outsider"])},
        "anonymous": {},
        "revoked key": {"key": world.keys["key_revoked"]},
        "expired key": {"key": world.keys["key_expired"]},
        "key of another project": {"key": world.keys["key_other"]},
        "key of another project, bearer": {
            "subprotocols": ["bearer", world.keys["key_other"]]
        },
        "forged token": {"token": owner[:-4] + "AAAA"},
        "unknown key": {"key": "plk_00000000_not-a-key"},
    }
    for who, options in callers.items():
        for target in (sweep, missing, 10**40):
            got = refusal(web, f"/ws/sweeps/{target}/", **options)
            assert got == baseline, (who, target)


def test_a_page_of_another_site_cannot_use_the_session(web, world):
    session = Client()
    session.force_login(world.users["owner"])
    cookie = f"sessionid={session.cookies['sessionid'].value}"
    path = f"/ws/sweeps/{world.ids['sweep']}/"
    got = refusal(web, path, headers={"Cookie": cookie, "Origin": "http://evil.test"})
    assert got[0] == 403


def test_the_project_stream_is_scoped_like_the_api(web, world, token):
    acme, zeta = world.ids["project"], world.zeta.pk
    viewer = open_stream(
        web, f"/ws/projects/{acme}/", token=token(world.users["viewer"])
    )
    hello = viewer.wait_for(lambda m: m["type"] == "hello", timeout=10)
    assert [s["id"] for s in hello["sweeps"]] == [world.ids["sweep"]]
    viewer.close()
    baseline = refusal(web, f"/ws/projects/{10**9}/", token=token(world.users["owner"]))
    assert baseline[0] == 403
    assert refusal(web, f"/ws/projects/{zeta}/", key=world.keys["key_own"]) == baseline
    outsider = token(world.users["outsider"])
    assert refusal(web, f"/ws/projects/{acme}/", token=outsider) == baseline
    # An owner of both sees the other one with an unlimited credential.
    owner = open_stream(web, f"/ws/projects/{zeta}/", token=token(world.users["owner"]))
    assert owner.wait_for(lambda m: m["type"] == "hello")["sweeps"] == []
    owner.close()


def test_a_viewers_or_malformed_message_gets_an_error_and_changes_nothing(
    web, world, token
):
    sweep = world.ids["sweep"]
    viewer = open_stream(
        web, f"/ws/sweeps/{sweep}/", token=token(world.users["viewer"])
    )
    editor = open_stream(
        web, f"/ws/sweeps/{sweep}/", token=token(world.users["editor"])
    )
    for stream in (viewer, editor):
        stream.wait_for(lambda m: m["type"] == "hello")
    state = Sweep.objects.values_list("status", "concurrency", "last_event_seq")
    before = state.get(pk=sweep)
    viewer.send({"action": "pause"})
    refused = viewer.wait_for(lambda m: m["type"] == "error")
    assert "editor role" in refused["message"] and refused["action"] == "pause"
    malformed = [
        "not json",
        '["pause"]',
        '{"value": 3}',
        '{"action": "concurrency", "value": "many"}',
        '{"action": "concurrency", "value": true}',
        '{"action": "concurrency", "value": 0}',
        '{"action": "explode"}',
        "x" * 5000,
    ]
    for text in malformed:
        editor.conn.send(text)
    editor.wait_until(
        lambda ms: sum(m["type"] == "error" for m in ms) == len(malformed)
    )
    errors = [m for m in editor.messages if m["type"] == "error"]
    assert len(errors) == len(malformed), errors
    assert "unknown action" in errors[6]["message"]
    assert "1 to 1024" in errors[5]["message"]
    assert state.get(pk=sweep) == before
    assert viewer.events() == editor.events() == []
    viewer.close()
    editor.close()


def test_an_editors_steering_reaches_every_viewer(web, world, token):
    sweep = world.ids["sweep"]
    path = f"/ws/sweeps/{sweep}/"
    viewers = [
        open_stream(web, path, token=token(world.users[who]))
        for who in ("viewer", "owner", "editor")
    ]
    for stream in viewers:
        stream.wait_for(lambda m: m["type"] == "hello")
    viewers[2].send({"action": "concurrency", "value": 3})
    viewers[2].send({"action": "pause"})
    for stream in viewers:
        stream.wait_for(lambda m: m["type"] == "sweep.status", timeout=10)
        steering = [e["payload"] for e in stream.events() if e["type"] == "steering"]
        assert [s["action"] for s in steering] == ["concurrency", "pause"]
        assert stream.events()[-1]["payload"]["status"] == "paused"
        stream.close()
    assert Sweep.objects.get(pk=sweep).status == "paused"


def test_a_revoked_key_or_a_removed_member_stops_receiving(test_db_env, world, token):
    # Checked before every event here (in production at most every 5 s).
    web = Web({**test_db_env, "PROMPTLOOPER_LIVE_RECHECK_S": "0"}).start()
    try:
        path = f"/ws/sweeps/{world.ids['sweep']}/"
        keyed = open_stream(web, path, key=world.keys["key_own"])
        viewer = open_stream(web, path, token=token(world.users["viewer"]))
        editor = open_stream(web, path, token=token(world.users["editor"]))
        for stream in (keyed, viewer, editor):
            stream.wait_for(lambda m: m["type"] == "hello")
        revoke_api_key(ApiKey.objects.get(name="own"))
        remove_member(world.project, "carol", by=world.users["owner"])
        editor.send({"action": "pause"})
        editor.wait_for(lambda m: m["type"] == "sweep.status", timeout=10)
        for stream in (keyed, viewer):
            error = stream.wait_for(lambda m: m["type"] == "error", timeout=10)
            assert error["message"] == "you may no longer watch this stream"
            assert stream.closed.wait(10) and stream.conn.close_code == 4403
            assert stream.events() == []  # not the steering, not the status
        editor.close()
    finally:
        web.kill()
