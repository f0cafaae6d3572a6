"""Review findings in the validator and the commands, each pinned down:
an axis value spelled twice (1 and 1.0), a judge's request parameters, and
``--concurrency`` outside the spec's bounds."""

from __future__ import annotations

import pytest
import yaml

from experiments.engine.planner import configs
from experiments.models import Experiment, Sweep
from experiments.spec import validate_spec
from experiments.tests.factories import spec_doc


def errors_of(doc: dict) -> dict[str, str]:
    return {e.path: e.message for e in validate_spec(doc).errors}


@pytest.mark.parametrize(
    ("axis", "values"),
    [
        ("temperature", [1, 1.0]),
        ("temperature", [0, 0.5, 0.0]),
        ("response_format", [{"type": "json_object"}, {"type": "json_object"}]),
        ("extra_body", [{"k": 2, "n": 1}, {"n": 1.0, "k": 2}]),
    ],
    ids=["int and float", "zero twice", "equal objects", "objects by value"],
)
def test_an_axis_value_spelled_twice_is_one_value_and_refused(axis, values):
    # The config hash compares numbers by value: both would be one config.
    assert errors_of(spec_doc(params={axis: values})) == {
        f"params.{axis}": "an axis lists the same value twice"
    }


def test_the_validated_config_count_is_what_the_planner_makes():
    result = validate_spec(spec_doc(params={"temperature": [1, 1.5, 2.0]}))
    assert result.ok
    planned = configs(result.spec)
    assert result.configs == len(planned) == len({c.hash for c in planned}) == 12


JUDGE = {"type": "llm_judge", "endpoint": "local", "model": "j", "rubric": "0-10"}


@pytest.mark.parametrize(
    ("params", "path", "message"),
    [
        (
            {"temperature": 5},
            "scorers[0].params.temperature",
            "must be a number between 0 and 2, got 5",
        ),
        (
            {"max_tokens": 0},
            "scorers[0].params.max_tokens",
            "must be a positive integer, got 0",
        ),
        (
            {"n": 3},
            "scorers[0].params.n",
            "must be 1 (only the first choice is scored",
        ),
        (
            {"stream": True},
            "scorers[0].params.stream",
            "streaming is not supported",
        ),
        (
            {"model": "other"},
            "scorers[0].params.model",
            "model is set by the scorer's model and rubric",
        ),
    ],
)
def test_a_judges_params_are_checked_against_the_known_params(params, path, message):
    errors = errors_of(spec_doc(scorers=[{**JUDGE, "params": params}]))
    assert list(errors) == [path]
    assert errors[path].startswith(message)


def test_a_judges_valid_and_unknown_params_pass():
    params = {"temperature": 0, "max_tokens": 16, "stop": ["\n"], "num_ctx": 2048}
    assert validate_spec(spec_doc(scorers=[{**JUDGE, "params": params}])).ok


@pytest.fixture
def cli_spec(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec_doc(project="cli")))
    return path


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("command", "value"),
    [
        ("runexperiment", "0"),
        ("runexperiment", "-3"),
        ("startsweep", "0"),
        ("startsweep", "1025"),
    ],
)
def test_concurrency_outside_1_to_1024_is_refused_before_anything_is_stored(
    manage, cli_spec, command, value
):
    done = manage(command, str(cli_spec), "--concurrency", value)
    assert done.returncode == 1, done.stderr
    assert f"--concurrency must be a number from 1 to 1024, got {value}" in done.stderr
    assert not Experiment.objects.exists() and not Sweep.objects.exists()
