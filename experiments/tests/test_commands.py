"""validate_experiment and bootstrap, as a user runs them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from experiments.models import Dataset, Experiment, Project, PromptVersion

REPO = Path(__file__).resolve().parents[2]
DEMO_SPEC = REPO / "examples" / "entity-extraction.yaml"
PIPELINE_SPEC = REPO / "examples" / "extract-then-normalise.yaml"


@pytest.fixture
def demo_on_disk(transactional_db, settings):
    """The demo loaded in the database the subprocess will see."""
    from experiments.services.setup import load_demo

    load_demo()


def test_validate_prints_run_count_and_cost(manage, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "name: x\nendpoints: [{name: e, base_url: 'http://h/v1', prices: "
        "{m: {input_per_mtok: 1, output_per_mtok: 2}}}]\n"
        "dataset: {file: items.jsonl}\nprompts: [{name: p, template: '{{ q }}'}]\n"
        "models: [{endpoint: e, model: m}]\n"
        "params: {temperature: [0, 1], max_tokens: 10}\n"
        "samples: 3\n"
    )
    (tmp_path / "items.jsonl").write_text('{"q": "a"}\n{"q": "b"}\n')
    done = manage("validate_experiment", str(spec))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        "ok: 2 configs x 2 items x 3 samples = 12 runs, est. cost $"
    )


def test_validate_prints_every_error_and_exits_1(manage, tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text(
        "name: x\ndataset: {file: missing.jsonl}\nprompts: []\nmodels: [{}]\n"
    )
    done = manage("validate_experiment", str(spec))
    assert done.returncode == 1
    assert "prompts: needs at least 1 item" in done.stderr
    assert "models[0].endpoint: required field is missing" in done.stderr
    assert "dataset.file: missing.jsonl: cannot read file" in done.stderr
    assert done.stderr.count("models[0].model: required field is missing") == 1
    assert done.stdout == ""


def test_validate_with_dataset_file_override(manage, tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("passage\nAda in Paris\nBob in Rome\nEve in Oslo\n")
    done = manage("validate_experiment", str(DEMO_SPEC), "--dataset-file", str(data))
    assert done.returncode == 0, done.stderr
    assert "x 3 items x 1 samples" in done.stdout


def test_validate_reports_unreadable_and_malformed_files(manage, tmp_path):
    done = manage("validate_experiment", str(tmp_path / "nope.yaml"))
    assert done.returncode == 1 and "cannot read" in done.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n")
    done = manage("validate_experiment", str(broken))
    assert done.returncode == 1 and "not valid YAML at line" in done.stderr


def test_validate_demo_spec_against_stored_dataset(demo_on_disk, settings):
    # call_command shares the test database, which has the demo dataset.
    out = io.StringIO()
    call_command("validate_experiment", str(DEMO_SPEC), stdout=out)
    assert out.getvalue().startswith("ok: 18 configs x 40 items x 1 samples = 720 runs")


def test_the_pipeline_demo_spec_validates_against_the_stored_demo(demo_on_disk, manage):
    done = manage("validate_experiment", str(PIPELINE_SPEC))
    assert done.returncode == 0, done.stderr
    # 2 prompts x 3 models x 2 temperatures, then 2 normalisers.
    assert done.stdout.startswith("ok: 24 configs x 40 items x 1 samples = 960 runs")


@pytest.mark.django_db
def test_bootstrap_creates_admin_once_and_prints_password_once(monkeypatch):
    monkeypatch.delenv("PROMPTLOOPER_ADMIN_PASSWORD", raising=False)
    first, second = io.StringIO(), io.StringIO()
    call_command("bootstrap", stdout=first)
    call_command("bootstrap", stdout=second)
    assert "Admin user created: admin / password: " in first.getvalue()
    password = first.getvalue().split("password: ")[1].split()[0]
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.check_password(password)
    assert password not in second.getvalue()
    assert "exists" in second.getvalue()


@pytest.mark.django_db
def test_bootstrap_takes_password_from_env(monkeypatch):
    monkeypatch.setenv("PROMPTLOOPER_ADMIN_PASSWORD", "chosen-pass-42")
    out = io.StringIO()
    call_command("bootstrap", "--no-demo", stdout=out)
    assert "chosen-pass-42" not in out.getvalue()
    assert (
        get_user_model().objects.get(username="admin").check_password("chosen-pass-42")
    )
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_demo_loads_once_whatever_the_number_of_runs():
    call_command("bootstrap", stdout=io.StringIO())
    call_command("bootstrap", stdout=io.StringIO())
    project = Project.objects.get(name="demo")
    dataset = Dataset.objects.get(project=project, name="demo-passages")
    assert 30 <= dataset.active_items().count() <= 50
    assert dataset.items.count() == dataset.active_items().count()
    experiments = Experiment.objects.filter(project=project).order_by("pk")
    assert [e.name for e in experiments] == [
        "entity-extraction",
        "extract-then-normalise",
    ]
    single, pipeline = experiments
    assert single.prompt_versions.count() == 3
    assert [s["name"] for s in pipeline.spec["stages"]] == ["extract", "normalise"]
    assert pipeline.dataset == single.dataset
    assert pipeline.prompt_versions.count() == 3  # 2 extract + 1 normalise
    # Loaded twice, no prompt took a second version.
    assert PromptVersion.objects.count() == 6
    assert not PromptVersion.objects.filter(number__gt=1).exists()
    # One sweep each, queued by the first bootstrap only.
    assert [e.sweeps.count() for e in experiments] == [1, 1]
    admin = get_user_model().objects.get(username="admin")
    assert project.memberships.get(user=admin).role == "owner"
    for item in dataset.active_items():
        for names in item.expected.values():
            for name in names:
                assert name in item.input["passage"]


@pytest.mark.django_db
def test_migrations_are_complete():
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())
