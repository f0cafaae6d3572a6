"""Known request parameters are checked before any call (spec/params.py)."""

from __future__ import annotations

import datetime
import io

import pytest
import yaml
from django.core.management import CommandError, call_command

from experiments.models import Experiment
from experiments.services import create_experiment
from experiments.spec import SpecContext, SpecInvalid, validate_spec
from experiments.tests.engine_helpers import extraction_spec


def errors_for(params: dict) -> list[str]:
    spec = extraction_spec("http://127.0.0.1:9/v1", n_items=1, params=params)
    return [str(e) for e in validate_spec(spec, SpecContext()).errors]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"temperature": "hot"},
            "params.temperature: must be a number between 0 and 2, got 'hot'",
        ),
        (
            {"temperature": [0.5, 2.5]},
            "params.temperature: must be a number between 0 and 2, got 2.5",
        ),
        (
            {"temperature": True},
            "params.temperature: must be a number between 0 and 2, got True",
        ),
        ({"top_p": 1.2}, "params.top_p: must be a number between 0 and 1, got 1.2"),
        ({"max_tokens": 0}, "params.max_tokens: must be a positive integer, got 0"),
        ({"seed": 1.5}, "params.seed: must be an integer, got 1.5"),
        (
            {"presence_penalty": -3},
            "params.presence_penalty: must be a number between -2 and 2, got -3",
        ),
        (
            {"frequency_penalty": "x"},
            "params.frequency_penalty: must be a number between -2 and 2, got 'x'",
        ),
        (
            {"stop": [["a", "b", "c", "d", "e"]]},
            "params.stop: must be a string or a list of up to 4 strings",
        ),
        ({"stop": 5}, "params.stop: must be a string or a list of up to 4 strings"),
        ({"logprobs": "yes"}, "params.logprobs: must be true or false, got 'yes'"),
        (
            {"top_logprobs": 21},
            "params.top_logprobs: must be an integer between 0 and 20, got 21",
        ),
        ({"response_format": "json"}, "params.response_format: must be an object"),
    ],
)
def test_a_known_parameter_with_a_bad_value_is_refused_by_name(params, message):
    errors = errors_for(params)
    assert len(errors) == 1 and errors[0].startswith(message), errors


def test_a_value_listed_twice_is_found_whatever_its_key_order():
    # YAML may give an axis value a date (refused); spelled with its keys
    # sorted, the two are still one value listed twice.
    day = datetime.date(2024, 1, 1)
    errors = errors_for({"response_format": [{"a": day, "b": 1}, {"b": 1, "a": day}]})
    assert "params.response_format: an axis lists the same value twice" in errors


def test_n_above_one_is_refused_pointing_to_samples():
    (error,) = errors_for({"n": 2})
    assert error.startswith("params.n: must be 1")
    assert "samples" in error and "got 2" in error


@pytest.mark.parametrize(
    "params",
    [
        {"temperature": [0, 0.7, 2], "top_p": 1, "max_tokens": 16, "seed": 7},
        {"stop": ["\n", "END"]},  # an axis of two stop strings
        {"stop": [["\n", "END"]]},  # one value: a list of strings
        {"n": 1, "logprobs": True, "top_logprobs": 5},
        {"response_format": {"type": "json_object"}},
        {"presence_penalty": -2, "frequency_penalty": 2},
        {"top_k": 40, "min_p": "server-specific", "repeat_penalty": 1.1},
    ],
)
def test_good_values_and_unknown_parameters_are_accepted(params):
    assert errors_for(params) == []


@pytest.mark.django_db
def test_a_bad_temperature_stores_nothing_and_calls_nothing(simulator):
    spec = extraction_spec(simulator.base_url, params={"temperature": "hot"})
    with pytest.raises(SpecInvalid) as refused:
        create_experiment(spec)
    assert [e.path for e in refused.value.errors] == ["params.temperature"]
    assert not Experiment.objects.exists()
    assert simulator.stats()["requests"] == 0


@pytest.mark.django_db
def test_validate_experiment_prints_the_parameter_error(tmp_path, simulator):
    path = tmp_path / "spec.yaml"
    spec = extraction_spec(simulator.base_url, params={"temperature": "hot"})
    path.write_text(yaml.safe_dump(spec))
    stderr = io.StringIO()
    with pytest.raises(CommandError):
        call_command("validate_experiment", str(path), stderr=stderr)
    assert (
        "params.temperature: must be a number between 0 and 2, got 'hot'"
        in stderr.getvalue()
    )
    assert simulator.stats()["requests"] == 0
