"""First-run set-up: the admin user and the demo project (``make run``)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from experiments.dataset_io import load_dataset_file
from experiments.models import Dataset, Experiment, Membership, Sweep
from experiments.services.datasets import replace_items
from experiments.services.experiments import create_experiment
from experiments.services.projects import ensure_project
from experiments.spec import parse_spec_text

if TYPE_CHECKING:
    from django.contrib.auth.models import User

EXAMPLES_DIR = Path(settings.BASE_DIR) / "examples"
DEMO_PROJECT = "demo"
DEMO_DATASET = "demo-passages"
DEMO_SPEC = EXAMPLES_DIR / "entity-extraction.yaml"
# Loaded (and first swept) in this order: the single-stage demo, then the
# two-stage pipeline over the same dataset and endpoint.
DEMO_SPECS = (DEMO_SPEC, EXAMPLES_DIR / "extract-then-normalise.yaml")


def ensure_admin(username: str, password: str | None = None) -> tuple[User, str | None]:
    """Create the superuser if no superuser exists yet.

    Returns ``(user, password)``; the password is only returned when the user
    was created (generated unless given), so it is shown once.
    """
    User = get_user_model()
    existing = User.objects.filter(is_superuser=True).order_by("pk").first()
    if existing is not None:
        return existing, None
    password = password or secrets.token_urlsafe(12)
    user = User.objects.create_superuser(username=username, email="", password=password)
    return user, password


@transaction.atomic
def load_demo(user: User | None = None) -> list[Experiment]:
    """Load the demo project: its dataset, prompts and experiments, in
    ``DEMO_SPECS`` order (idempotent)."""
    project = ensure_project(DEMO_PROJECT, None)
    if user is not None:
        Membership.objects.get_or_create(
            project=project, user=user, defaults={"role": Membership.Role.OWNER}
        )
    dataset, _ = Dataset.objects.get_or_create(
        project=project,
        name=DEMO_DATASET,
        defaults={"description": "Short passages with the entities they mention."},
    )
    replace_items(dataset, load_dataset_file(EXAMPLES_DIR / "data" / "passages.jsonl"))
    experiments = []
    for path in DEMO_SPECS:
        document = parse_spec_text(path.read_text(encoding="utf-8"))
        experiment, _ = create_experiment(document, None, base_dir=EXAMPLES_DIR)
        experiments.append(experiment)
    return experiments


def queue_demo_sweep(experiment: Experiment) -> Sweep | None:
    """Queue a demo experiment's first sweep (once), so a fresh instance
    shows results."""
    from experiments.services.sweeps import start_sweep

    if experiment.sweeps.exists():
        return None
    return start_sweep(experiment)
