"""Finished sweeps to promote from: real runs against the simulator."""

from __future__ import annotations

from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from experiments.models import Sweep
from experiments.tests.engine_helpers import extraction_spec, run


def finished_sweep(base_url: str, **overrides) -> Sweep:
    """Project "acme", experiment "engine-test": 2 models x 2 temperatures
    over 2 items, completed."""
    sweep = run(extraction_spec(base_url, n_items=2, **overrides))
    assert sweep.status == "completed", sweep.error_message
    return sweep


def ranked(sweep: Sweep) -> list[str]:
    """The sweep's config hashes, best first."""
    return [row["config_hash"] for row in sweep.runs.leaderboard()]


def api(user=None, key: str | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        token = RefreshToken.for_user(user).access_token
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    elif key is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def pipeline_spec(base_url: str) -> dict:
    """Experiment "engine-test" as two stages: ``extract`` (2 prompts on
    sim-extractor) then ``normalise`` (sim-normaliser over its output); the
    endpoint reads its key from ``PROMPTLOOPER_KEY_SIM``."""
    spec = extraction_spec(base_url, n_items=2)
    for key in ("prompts", "models", "params", "scorers"):
        del spec[key]
    spec["endpoints"][0]["api_key_env"] = "PROMPTLOOPER_KEY_SIM"
    spec["stages"] = [
        {
            "name": "extract",
            "prompts": [
                {"name": "terse", "template": "Entities as JSON: {{ passage }}"},
                {"name": "wordy", "template": "Find the people in: {{ passage }}"},
            ],
            "models": [{"endpoint": "sim", "model": "sim-extractor"}],
            "params": {"temperature": [0.0]},
        },
        {
            "name": "normalise",
            "prompts": [
                {
                    "name": "tidy",
                    "messages": [
                        {"role": "system", "content": "Normalise the names."},
                        {"role": "user", "content": "{{ stages.extract.output }}"},
                    ],
                }
            ],
            "models": [{"endpoint": "sim", "model": "sim-normaliser"}],
        },
    ]
    spec["scorers"] = [{"type": "json_f1", "field": "people"}]
    return spec
