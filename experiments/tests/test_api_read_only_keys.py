"""A read-only API key reads as its user does and writes nothing: the API,
the WebSocket's steering (and the MCP server, agents_mcp/tests) refuse it."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from experiments.exceptions import Forbidden
from experiments.live.auth import Caller
from experiments.live.steering import steer
from experiments.services.access import create_api_key
from experiments.tests.api_helpers import build_world
from experiments.tests.engine_helpers import extraction_spec

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(alice, bob, carol, charlie, project):
    return build_world(alice, bob, carol, charlie, project)


def keyed(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def test_a_read_only_key_reads_and_validates_but_writes_nothing(world, alice):
    _, key = create_api_key(alice, "ro", read_only=True)
    client = keyed(key)
    ids = world.ids
    assert client.get("/api/experiments/").status_code == 200
    assert client.get(f"/api/sweeps/{ids['sweep']}/").status_code == 200
    spec = extraction_spec("http://127.0.0.1:9/v1", n_items=2, name="ro-new")
    assert client.post("/api/experiments/validate/", spec, format="json").json()[
        "valid"
    ]
    writes = [
        client.post("/api/experiments/", spec, format="json"),
        client.post(f"/api/experiments/{ids['experiment']}/sweeps/", {}, format="json"),
        client.post(f"/api/sweeps/{ids['sweep']}/pause/"),
        client.patch(f"/api/prompts/{ids['prompt']}/", {"description": "x"}),
        client.delete(f"/api/experiments/{ids['experiment']}/"),
        client.post("/api/projects/", {"name": "ro-project"}),
        client.post("/api/api-keys/", {"name": "escalate"}),
    ]
    assert [r.status_code for r in writes] == [403] * len(writes)
    assert writes[0].json()["detail"] == "This API key is read-only."
    assert not world.project.experiments.filter(name="ro-new").exists()
    assert world.project.experiments.get().sweeps.count() == 1


def test_a_key_created_read_only_says_so(world, alice):
    client = APIClient()
    client.force_authenticate(alice)
    made = client.post("/api/api-keys/", {"name": "agent", "read_only": True}).json()
    assert made["read_only"] is True and made["key"].startswith("plk_")


def test_a_read_only_key_cannot_steer_over_the_websocket(world, alice):
    api_key, _ = create_api_key(alice, "ro", read_only=True)
    with pytest.raises(Forbidden, match="read-only"):
        steer(Caller(alice, api_key), world.ids["sweep"], "pause", None)
