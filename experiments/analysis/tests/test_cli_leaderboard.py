"""The leaderboard as `runexperiment` prints it: the table marks the best,
the configs tied with it and those on the Pareto fronts (with a legend), and
`--json` rows are the API's rows, key for key and value for value."""

from __future__ import annotations

import io
import json

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from experiments.analysis.tests.test_exports import pipeline_spec
from experiments.tests.engine_helpers import extraction_spec

# The engine writes from its own thread and connection: committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


def runexperiment(tmp_path, spec: dict, *flags: str) -> str:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    out = io.StringIO()
    call_command("runexperiment", str(path), *flags, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def api_rows(user, sweep_id: int) -> list[dict]:
    client = APIClient()
    client.force_login(user)
    response = client.get(f"/api/sweeps/{sweep_id}/leaderboard/")
    assert response.status_code == 200
    return response.json()


def test_the_table_marks_the_best_the_ties_and_the_fronts(
    tmp_path, simulator, alice, project
):
    text = runexperiment(tmp_path, extraction_spec(simulator.base_url, samples=2))
    lines = text.splitlines()
    header = lines[0]
    start = header.index("marks")
    rows = api_rows(alice, int(lines[-1].split()[1]))  # "sweep N completed: ..."
    table = lines[1 : 1 + len(rows)]
    marks = {int(line.split()[0]): line[start : start + 5].strip() for line in table}
    assert marks[1].startswith("*")
    for row in rows:
        mark = marks[row["rank"]]
        assert ("=" in mark) == (row["tied_with_best"] and row["rank"] > 1), mark
        assert ("P" in mark) == bool(row["on_front"]["cost"]), mark
        assert ("L" in mark) == bool(row["on_front"]["latency"]), mark
    # This sweep shows every mark (ties, both fronts).
    assert {"=", "P", "L"} <= set("".join(marks.values()))
    assert lines[1 + len(rows)].startswith("marks: * best, = tied with the best")


@pytest.mark.parametrize("kind", ["single-stage", "pipeline"])
def test_json_rows_are_the_api_rows(tmp_path, simulator, alice, project, kind):
    spec = (
        extraction_spec(simulator.base_url)
        if kind == "single-stage"
        else pipeline_spec(simulator.base_url)
    )
    summary = json.loads(runexperiment(tmp_path, spec, "--json"))
    rows = api_rows(alice, summary["sweep_id"])
    assert len(rows) == 4 and summary["status"] == "completed"
    assert summary["errors"] == 0
    assert [set(row) for row in summary["leaderboard"]] == [set(row) for row in rows]
    assert summary["leaderboard"] == rows
    assert all(("stages" in row and "stage_usage" in row) for row in rows)
