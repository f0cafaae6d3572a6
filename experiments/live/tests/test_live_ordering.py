"""What a consumer does with live events that arrive out of order, ahead of
the log or twice (Redis delivers different processes' events in any order;
an in-memory channel drops messages past its capacity): each event once, in
seq order, the gaps filled from the log. In process, with the real ASGI
application, channel layer and database; the follower is stopped so the
test alone decides what arrives live."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import RefreshToken

from experiments.engine.events import (
    LAYER_TYPE,
    events_after,
    project_group,
    publish,
    sweep_group,
)
from experiments.live.follower import close_connection
from experiments.live.tests.helpers import loop_follower
from experiments.tests.engine_helpers import extraction_spec, start
from promptlooper_site.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest.fixture
def single_container(settings):
    settings.REDIS_URL = None
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    }


def setup(alice, project) -> tuple[int, str]:
    spec = extraction_spec("http://127.0.0.1:9/v1", n_items=1)
    sweep = start(spec)
    return sweep.pk, str(RefreshToken.for_user(alice).access_token)


async def connected(path: str) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(application, path)
    accepted, _ = await socket.connect(timeout=10)
    assert accepted
    return socket


async def received(socket: WebsocketCommunicator) -> list[dict]:
    messages = []
    while not await socket.receive_nothing(timeout=0.3):
        messages.append(json.loads(await socket.receive_from()))
    return messages


async def live(group: str, event: Mapping[str, object]) -> None:
    await get_channel_layer().group_send(group, {"type": LAYER_TYPE, "event": event})


async def test_a_sweep_stream_fills_gaps_from_the_log_and_drops_repeats(
    single_container, alice, project
):
    sweep, token = await sync_to_async(setup)(alice, project)
    socket = await connected(f"/ws/sweeps/{sweep}/?token={token}")
    hello = json.loads(await socket.receive_from())
    await loop_follower().stop()  # from here on, only what the test sends is live
    for n in range(3):
        await sync_to_async(publish)(sweep, "sweep.progress", {"n": n})
    logged = await sync_to_async(events_after)(sweep, hello["seq"])
    assert [e["seq"] for e in logged] == [hello["seq"] + i for i in (1, 2, 3)]
    await live(sweep_group(sweep), logged[2])  # ahead: 1 and 2 are missing
    await live(sweep_group(sweep), logged[1])  # late, already sent
    await live(sweep_group(sweep), logged[2])  # twice
    assert await received(socket) == logged
    await socket.disconnect()
    await sync_to_async(close_connection)()


async def test_a_project_stream_sends_each_event_once(single_container, alice, project):
    sweep, token = await sync_to_async(setup)(alice, project)
    socket = await connected(f"/ws/projects/{project.pk}/?token={token}&after=0")
    hello = json.loads(await socket.receive_from())
    replayed = await received(socket)
    assert hello["type"] == "hello" and replayed
    await loop_follower().stop()
    await sync_to_async(publish)(sweep, "sweep.progress", {"n": 1})
    await sync_to_async(publish)(sweep, "steering", {"action": "pause"})
    new = await sync_to_async(events_after)(sweep, replayed[-1]["seq"])
    await live(project_group(project.pk), new[0])
    await live(project_group(project.pk), replayed[-1])  # already replayed
    await live(project_group(project.pk), new[0])  # twice
    assert await received(socket) == [new[0]]
    await socket.disconnect()
    await sync_to_async(close_connection)()
