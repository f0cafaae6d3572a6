"""Scorers of a pipeline's last stage score the run's own output: each of
them once, beside the final scorers, their judge's usage counted once."""

from __future__ import annotations

import pytest

from experiments.models import Run
from experiments.tests.engine_helpers import run
from experiments.tests.test_engine_pipelines import N, pipeline_spec

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_last_stages_own_scorers_score_each_run_once(simulator):
    judge = {"type": "llm_judge", "endpoint": "sim", "model": "sim-judge"}
    spec = pipeline_spec(simulator.base_url)
    spec["stages"][0]["prompts"] = spec["stages"][0]["prompts"][:1]
    spec["stages"][1]["prompts"] = spec["stages"][1]["prompts"][:1]
    spec["stages"][1]["scorers"] = [
        {"type": "json_valid", "name": "tidy", "weight": 1},
        {**judge, "rubric": "Normalised: {{ output }}", "name": "judged"},
    ]
    sweep = run(spec)
    assert (sweep.status, sweep.done, sweep.errors) == ("completed", N, 0)
    # Per item: extract, normalise and one judge call.
    assert simulator.stats()["requests"] == 3 * N == sweep.calls
    for row in Run.objects.filter(sweep=sweep):
        names = sorted(row.scores.values_list("scorer", flat=True))
        assert names == ["json_valid", "normalise.judged", "normalise.tidy"]
        stages = sum(t["prompt_tokens"] for t in row.trace)
        judged = row.scores.get(scorer="normalise.judged").detail["judge"]
        assert row.prompt_tokens == stages + judged["prompt_tokens"]
