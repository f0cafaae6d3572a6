"""What a pipeline fetches: ``GET /api/deployments/<project>/<experiment>/
<label>/`` (every stage's endpoint, model, params and prompt messages, never
a key), who may fetch it, and the example pipeline that fetches its config at
start-up, run against a live server and the simulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from experiments.models import ApiKey, Project, Run
from experiments.services.access import create_api_key, revoke_api_key
from experiments.services.promotions import promote_config
from experiments.tests.api_helpers import SECRET
from experiments.tests.engine_helpers import run
from experiments.tests.promotion_helpers import api, pipeline_spec, ranked

pytestmark = pytest.mark.django_db(transaction=True)
REPO = Path(__file__).resolve().parents[2]
URL = "/api/deployments/acme/engine-test/production/"
SCRIPT = REPO / "examples" / "fetch_deployment.py"


@pytest.fixture
def promoted(project, simulator, bob):
    """The pipeline's best config promoted to ``production``; the endpoint
    holds a stored key too."""
    sweep = run(pipeline_spec(simulator.base_url))
    assert sweep.status == "completed", sweep.error_message
    project.endpoints.filter(name="sim").update(api_key="")
    endpoint = project.endpoints.get(name="sim")
    endpoint.api_key = SECRET
    endpoint.save()
    return promote_config(sweep, ranked(sweep)[0], "production", bob, note="v1")


def test_the_deployment_names_every_stage_and_never_a_key(promoted, carol):
    response = api(carol).get(URL)
    assert response.status_code == 200, response.content
    assert SECRET not in response.content.decode()
    body = response.json()
    assert (body["project"], body["experiment"], body["label"]) == (
        "acme",
        "engine-test",
        "production",
    )
    assert body["config_hash"] == promoted.config_hash
    assert body["promotion"]["promoted_by"] == "bob"
    assert body["promotion"]["note"] == "v1"
    assert body["promotion"]["sweep"] == promoted.sweep_number
    assert body["scores"]["n"] == 2 and "json_f1:people" in body["scores"]["scores"]
    extract, normalise = body["stages"]
    chosen = {s["name"]: s for s in promoted.config["stages"]}
    assert extract["name"] == "extract"
    assert extract["prompt"]["name"] == chosen["extract"]["prompt"]
    assert extract["prompt"]["version"] == 1
    assert (extract["model"], extract["params"]) == (
        "sim-extractor",
        {"temperature": 0.0},
    )
    assert normalise["prompt"] == {
        "name": "tidy",
        "version": 1,
        "messages": [
            {"role": "system", "content": "Normalise the names."},
            {"role": "user", "content": "{{ stages.extract.output }}"},
        ],
    }
    assert normalise["model"] == "sim-normaliser"
    for stage in body["stages"]:
        assert stage["endpoint"] == {
            "name": "sim",
            "kind": "openai",
            "base_url": promoted.sweep.endpoints["sim"]["base_url"],
            "api_key_env": "PROMPTLOOPER_KEY_SIM",
        }


def test_an_api_key_with_read_access_fetches_it_and_no_other(promoted, alice, carol):
    _, viewer_key = create_api_key(carol, "pipeline", promoted.experiment.project)
    assert api(key=viewer_key).get(URL).status_code == 200
    _, unlimited = create_api_key(carol, "all my projects")
    assert api(key=unlimited).get(URL).status_code == 200
    zeta = Project.objects.create(name="zeta")
    zeta.memberships.create(user=alice, role="owner")
    _, other = create_api_key(alice, "zeta only", zeta)
    assert api(key=other).get(URL).status_code == 404
    revoke_api_key(ApiKey.objects.get(name="pipeline"))
    assert api(key=viewer_key).get(URL).status_code == 401
    assert api().get(URL).status_code == 401


def test_an_unknown_label_experiment_or_project_is_not_found(promoted, carol):
    for url in (
        "/api/deployments/acme/engine-test/staging/",
        "/api/deployments/acme/nope/production/",
        "/api/deployments/nope/engine-test/production/",
    ):
        response = api(carol).get(url)
        assert response.status_code == 404, url
        assert set(response.json()) == {"detail", "errors"}


def example(live_server, key: str, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PROMPTLOOPER_URL": live_server.url,
        "PROMPTLOOPER_API_KEY": key,
        "PROMPTLOOPER_KEY_SIM": "sk-the-pipeline-own-key",
    }
    return subprocess.run(
        [sys.executable, str(SCRIPT), "acme", "engine-test", "production", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_example_pipeline_fetches_its_config_and_reproduces_the_sweep(
    live_server, promoted, carol
):
    _, key = create_api_key(carol, "pipeline", promoted.experiment.project)
    swept = (
        Run.objects.filter(sweep=promoted.sweep, config_hash=promoted.config_hash)
        .select_related("item")
        .order_by("id")
        .first()
    )
    item_input = json.dumps(swept.item.input)
    done = example(live_server, key, "--input", item_input)
    assert done.returncode == 0, done.stderr
    assert "production: config " + promoted.config_hash[:12] in done.stderr
    # The same prompts, models and params, so the same answer as in the sweep.
    assert done.stdout.strip() == swept.output_text.strip()
    dry = example(live_server, key, "--input", item_input, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout) == swept.trace[0]["messages"]


def test_the_example_pipeline_fails_clearly_without_access(live_server, promoted):
    done = example(live_server, "plk_00000000_not-a-key", "--dry-run")
    assert done.returncode == 1
    assert done.stderr.startswith("cannot fetch the deployment: 401 "), done.stderr
