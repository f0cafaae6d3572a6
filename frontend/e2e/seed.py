"""What the browser tests need in their fresh database, made through the
project's own services (run by stack.mjs with the stack's environment):

    python frontend/e2e/seed.py users       # project, editor, viewer, owner, dataset
    python frontend/e2e/seed.py big-sweep   # a finished 10,000-run sweep
    python frontend/e2e/seed.py big-sweep 500  # 100,000 runs (500 items)

Each prints one JSON object on stdout. There is no management command for
members with passwords (the admin makes them), hence this script.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "e2e"
DATASET = "passages"
# Fixed and only ever used inside a throw-away data directory.
USERS = {
    "edith": ("editor", "edith-e2e-password"),
    "victor": ("viewer", "victor-e2e-password"),
    "olga": ("owner", "olga-e2e-password"),
}


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "promptlooper_site.settings")
    import django

    django.setup()


def users() -> dict:
    from django.contrib.auth.models import User

    from experiments.dataset_io import load_dataset_file
    from experiments.models import Dataset, Membership
    from experiments.services.datasets import replace_items
    from experiments.services.projects import ensure_project

    project = ensure_project(PROJECT, None)
    for username, (role, password) in USERS.items():
        user = User.objects.create_user(username, password=password)
        Membership.objects.create(project=project, user=user, role=role)
    dataset = Dataset.objects.create(project=project, name=DATASET)
    items = load_dataset_file(ROOT / "examples" / "data" / "passages.jsonl")
    replace_items(dataset, items)
    return {
        "project": {"id": project.pk, "name": project.name},
        "dataset": DATASET,
        "users": {name: {"role": r, "password": p} for name, (r, p) in USERS.items()},
    }


def big_sweep(items: str = "50") -> dict:
    """100 configs x ``items`` items x 2 samples, planned by the engine and its
    results written in bulk (bench/analysis.py's ``bulk`` build: seconds,
    where running 10,000 calls through the engine takes about a minute)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from analysis import _build_bulk, spec

    from experiments.services.experiments import create_experiment

    document = spec("big-grid", "http://127.0.0.1:9", int(items))
    document["project"] = PROJECT
    document["description"] = "Runs with results written in bulk, for the e2e timings."
    experiment, _ = create_experiment(document, None)
    sweep_id, seconds = _build_bulk(experiment)
    sweep = experiment.sweeps.get(pk=sweep_id)
    return {
        "experiment": experiment.pk,
        "sweep": sweep_id,
        "runs": sweep.runs.count(),
        "planned": sweep.planned,
        "build_s": round(seconds, 1),
    }


if __name__ == "__main__":
    commands = {"users": users, "big-sweep": big_sweep}
    if len(sys.argv) not in (2, 3) or sys.argv[1] not in commands:
        sys.exit(f"usage: seed.py {'|'.join(commands)} [items]")
    setup_django()
    sys.stdout.write(json.dumps(commands[sys.argv[1]](*sys.argv[2:])) + "\n")
