from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from experiments.management.commands._sweep_output import (
    ProgressBar,
    exit_for,
    leaderboard_table,
    served_model_notes,
)
from experiments.management.commands.validate_experiment import read_spec_file
from experiments.services import create_experiment
from experiments.services.sweeps import (
    create_sweep,
    run_sweep,
    steer_sweep,
    sweep_summary,
)
from experiments.spec import SpecInvalid


def store_and_create_sweep(command: BaseCommand, options: dict):
    """Validate and store the spec file, then create a queued sweep of it."""
    experiment, result = store_spec(command, options["file"], options["dataset_file"])
    sweep = create_sweep(
        experiment,
        no_cache=options["no_cache"],
        concurrency=options["concurrency"],
        estimated_cost=result.estimated_cost,
    )
    return sweep, result


def store_spec(command: BaseCommand, file: str, dataset_file: str | None):
    """Validate and store a spec file; invalid -> every error, exit 1."""
    document = read_spec_file(file)
    try:
        return create_experiment(
            document,
            None,
            allow_file=True,
            base_dir=Path(file).resolve().parent,
            dataset_file=Path(dataset_file).resolve() if dataset_file else None,
        )
    except SpecInvalid as exc:
        for error in exc.errors:
            command.stderr.write(str(error))
        raise CommandError(f"{file}: {len(exc.errors)} error(s)") from None


class Command(BaseCommand):
    help = (
        "Validate and store an experiment spec, run a sweep of it in the "
        "foreground (no worker needed) and print the leaderboard. Exit 0 when "
        "the sweep completed (at least one run succeeded), 1 for an invalid "
        "spec, 2 when it failed (no run succeeded, or the runner failed), was "
        "cancelled or interrupted."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the spec file (.yaml or .json)")
        parser.add_argument(
            "--json", action="store_true", help="one JSON object on stdout"
        )
        parser.add_argument(
            "--no-cache",
            action="store_true",
            help="do not read the cache (still store)",
        )
        parser.add_argument("--concurrency", type=int, help="override the spec's")
        parser.add_argument("--dataset-file", help="a .jsonl/.csv file as the dataset")

    def handle(self, *args, **options) -> None:
        sweep, result = store_and_create_sweep(self, options)
        self.stderr.write(f"sweep {sweep.pk}: {result.summary()}")
        bar = ProgressBar(self.stderr._out)
        try:
            sweep = run_sweep(sweep, on_progress=bar.update)
        except KeyboardInterrupt:
            bar.close()
            sweep = steer_sweep(sweep, "cancel")
            raise CommandError(
                f"interrupted: sweep {sweep.pk} cancelled", returncode=2
            ) from None
        bar.close(sweep)
        summary = sweep_summary(sweep)
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            self.stdout.write(leaderboard_table(summary))
        for note in served_model_notes(sweep, summary):
            self.stderr.write(note)
        exit_for(sweep)
