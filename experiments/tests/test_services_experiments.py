"""create_experiment stores a validated spec; a bad one writes nothing."""

from __future__ import annotations

import pytest

from experiments.dataset_io import ItemData
from experiments.exceptions import Forbidden
from experiments.models import (
    Dataset,
    DatasetItem,
    Endpoint,
    Experiment,
    Project,
    PromptVersion,
    Run,
    Sweep,
)
from experiments.services import add_prompt_version, create_experiment, replace_items
from experiments.spec import SpecInvalid
from experiments.tests.factories import make_dataset, spec_doc

pytestmark = pytest.mark.django_db


def test_create_stores_everything_the_spec_names(alice):
    experiment, result = create_experiment(spec_doc(), alice)
    assert result.runs == 16
    assert experiment.project.name == "acme"
    assert experiment.project.memberships.get().user == alice  # creator owns it
    assert experiment.spec_source == spec_doc()
    assert experiment.spec["dataset"] == {"name": "extract", "limit": None}
    assert experiment.dataset.active_items().count() == 2
    assert sorted(v.prompt.name for v in experiment.prompt_versions.all()) == [
        "short",
        "terse",
    ]
    assert [e.name for e in experiment.endpoints.all()] == ["local"]
    endpoint = Endpoint.objects.get(name="local")
    assert endpoint.base_url == "http://127.0.0.1:8499/v1"


def test_invalid_spec_writes_nothing():
    doc = spec_doc(models=[{"endpoint": "ghost", "model": "m"}])
    with pytest.raises(SpecInvalid) as excinfo:
        create_experiment(doc)
    assert excinfo.value.errors[0].path == "models[0].endpoint"
    assert not Project.objects.exists()
    assert not Endpoint.objects.exists()
    assert not Dataset.objects.exists()


def test_rerunning_a_spec_updates_the_experiment_and_versions_prompts():
    first, _ = create_experiment(spec_doc())
    changed = spec_doc()
    changed["prompts"][1]["template"] = "Passage: {{ passage }}\nJSON:"
    second, _ = create_experiment(changed)
    assert second.pk == first.pk
    assert Experiment.objects.count() == 1
    short_versions = PromptVersion.objects.filter(prompt__name="short")
    assert sorted(short_versions.values_list("number", flat=True)) == [1, 2]
    assert PromptVersion.objects.filter(prompt__name="terse").count() == 1
    current = {str(v) for v in second.prompt_versions.all()}
    assert current == {"short v2", "terse v1"}


def test_spec_may_use_stored_dataset_and_endpoint(project):
    make_dataset(project, "stored", n=5)
    Endpoint.objects.create(project=project, name="shared", base_url="http://h/v1")
    doc = spec_doc(
        endpoints=[],
        dataset={"name": "stored", "limit": 2},
        models=[{"endpoint": "shared", "model": "m"}],
    )
    experiment, result = create_experiment(doc)
    assert result.runs == 2 * 2 * 2  # 2 prompts x 2 temperatures x 2 items
    assert experiment.dataset.name == "stored"
    assert experiment.spec["dataset"] == {"name": "stored", "limit": 2}


def test_viewer_cannot_create_in_an_existing_project(project, carol, bob):
    with pytest.raises(Forbidden):
        create_experiment(spec_doc(), carol)
    experiment, _ = create_experiment(spec_doc(), bob)  # an editor can
    assert experiment.created_by == bob


def test_prompt_versions_are_immutable_and_deduplicated(project):
    from experiments.models import Prompt

    prompt = Prompt.objects.create(project=project, name="p")
    v1, created = add_prompt_version(prompt, [{"role": "user", "content": "a"}])
    again, created_again = add_prompt_version(
        prompt, [{"role": "user", "content": "a"}]
    )
    assert created and not created_again and again == v1
    v2, _ = add_prompt_version(prompt, [{"role": "user", "content": "b"}])
    assert v2.number == 2
    v1.messages = [{"role": "user", "content": "changed"}]
    with pytest.raises(ValueError, match="immutable"):
        v1.save()


def test_replacing_items_archives_those_runs_use(project):
    dataset = make_dataset(project, n=3)
    rows = list(dataset.active_items())
    experiment, _ = create_experiment(spec_doc(dataset={"name": "passages"}))
    sweep = Sweep.objects.create(experiment=experiment)
    Run.objects.create(sweep=sweep, config_hash="h", config={}, item=rows[0])

    kept = ItemData(rows[1].input, rows[1].expected, rows[1].tags)
    result = replace_items(dataset, [kept, ItemData({"passage": "new"})])

    assert (result.added, result.kept, result.archived, result.deleted) == (1, 1, 1, 1)
    active = list(dataset.active_items())
    assert [item.input["passage"] for item in active] == [
        rows[1].input["passage"],
        "new",
    ]
    assert active[0].pk == rows[1].pk  # unchanged items keep their row
    assert DatasetItem.objects.get(pk=rows[0].pk).archived is True
    assert not DatasetItem.objects.filter(pk=rows[2].pk).exists()
