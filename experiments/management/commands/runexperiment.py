from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from experiments.management.cli_checks import CLI_CHECKS
from experiments.management.commands._sweep_output import (
    ProgressBar,
    exit_for,
    leaderboard_table,
    served_model_notes,
)
from experiments.management.spec_files import check_concurrency, store_spec
from experiments.services.sweeps import (
    create_sweep,
    run_sweep,
    steer_sweep,
    sweep_summary,
)


class Command(BaseCommand):
    requires_system_checks = CLI_CHECKS  # not the API's (cli_checks.py)
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
        check_concurrency(options["concurrency"])
        experiment, result = store_spec(self, options["file"], options["dataset_file"])
        # Run here, in the foreground: created, not handed to the worker.
        sweep = create_sweep(
            experiment,
            no_cache=options["no_cache"],
            concurrency=options["concurrency"],
            estimated_cost=result.estimated_cost,
        )
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
