"""No input crashes a tool: each refusal is a tool error with the API's
detail, status and field paths (the server in-process: the SDK's client
against ``build_server``)."""

from __future__ import annotations

import pytest
from mcp import Client

from agents_mcp.auth import use_stdio_key
from agents_mcp.server import build_server
from agents_mcp.tests.helpers import data_of, error_of, session
from experiments.services import create_experiment
from experiments.services.sweeps import create_sweep
from experiments.tests.engine_helpers import extraction_spec

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def in_process(keys):
    use_stdio_key(keys["owner"])
    yield lambda: Client(build_server(http=False))
    use_stdio_key(None)


def test_bad_input_is_a_tool_error_with_field_paths(in_process, alice):
    experiment = create_experiment(extraction_spec("http://127.0.0.1:9/v1"), alice)[0]
    sweep = create_sweep(experiment, alice).pk
    deep: dict = {}
    for _ in range(150):
        deep = {"a": deep}
    calls = [
        ("validate_spec", {"spec": {"name": "x", "dataset": {}, "bogus": 1}}),
        ("validate_spec", {"spec": "not an object"}),
        ("validate_spec", {"spec": deep}),
        ("leaderboard", {"sweep": sweep, "scorer": "no-such-scorer"}),
        ("list_runs", {"sweep": sweep, "status": "bogus"}),
        ("get_run", {"run": 10**30}),
        ("get_sweep", {"sweep": -1}),
        ("compare_configs", {"sweep": sweep, "configs": ["a"]}),
        ("set_sweep_concurrency", {"sweep": sweep, "concurrency": 0}),
        ("wait_for_sweep", {"sweep": sweep, "timeout_s": 500}),
        ("add_dataset_items", {"dataset": experiment.dataset_id, "items": [{}]}),
        ("start_sweep", {"experiment": experiment.pk, "strategy": {"type": "x"}}),
    ]

    async def body(client):
        return [await client.call_tool(name, args) for name, args in calls]

    results = session(in_process, body)
    texts = [r.content[0].text for r in results]
    assert "Internal error" not in "".join(texts)
    # validate_spec answers an invalid spec with its errors, as data.
    checked, deep_checked = data_of(results[0]), data_of(results[2])
    assert checked["valid"] is False and deep_checked["valid"] is False
    assert any(e["path"] == "bogus" for e in checked["errors"])
    refused = results[1:2] + results[3:]
    assert all(r.is_error for r in refused), [r.content[0].text for r in refused]
    assert error_of(results[3])["errors"][0]["path"] == "scorer"
    assert error_of(results[4])["errors"][0]["path"] == "status"
    assert error_of(results[5])["status"] == 404
    assert error_of(results[7])["errors"][0]["path"] == "configs"
    assert error_of(results[8])["errors"][0]["path"] == "concurrency"
    assert error_of(results[10])["errors"][0]["path"] == "line 1"
    assert error_of(results[11])["errors"][0]["path"] == "strategy.type"
    assert experiment.sweeps.count() == 1
