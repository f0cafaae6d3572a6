from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand

from experiments.management.cli_checks import CLI_CHECKS
from experiments.management.commands._sweep_output import (
    ProgressBar,
    exit_for,
    leaderboard_table,
    served_model_notes,
)
from experiments.management.spec_files import check_concurrency, store_spec
from experiments.models import Sweep
from experiments.services.sweeps import (
    recover_stale_sweeps,
    start_sweep,
    sweep_summary,
)


class Command(BaseCommand):
    requires_system_checks = CLI_CHECKS  # not the API's (cli_checks.py)
    help = (
        "Validate and store an experiment spec and queue a sweep for the worker; "
        "prints the sweep id. --wait follows it to the end (surviving worker "
        "restarts), prints the same summary as runexperiment and exits as it "
        "does: 0 completed, 1 invalid spec, 2 failed or cancelled."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--wait", action="store_true")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--no-cache", action="store_true")
        parser.add_argument("--concurrency", type=int)
        parser.add_argument("--dataset-file")

    def handle(self, *args, **options) -> None:
        check_concurrency(options["concurrency"])
        experiment, result = store_spec(self, options["file"], options["dataset_file"])
        sweep = start_sweep(
            experiment,
            no_cache=options["no_cache"],
            concurrency=options["concurrency"],
            estimated_cost=result.estimated_cost,
        )
        if not options["wait"]:
            if options["json"]:
                self.stdout.write(
                    json.dumps({"sweep_id": sweep.pk, "status": sweep.status})
                )
            else:
                self.stdout.write(f"sweep {sweep.pk} queued: {result.summary()}")
            return
        self.stderr.write(f"sweep {sweep.pk} queued: {result.summary()}")
        sweep = self.follow(sweep)
        summary = sweep_summary(sweep)
        self.stdout.write(
            json.dumps(summary) if options["json"] else leaderboard_table(summary)
        )
        for note in served_model_notes(sweep, summary):
            self.stderr.write(note)
        exit_for(sweep)

    def follow(self, sweep: Sweep) -> Sweep:
        bar = ProgressBar(self.stderr._out)
        last_recovery = time.monotonic()
        while True:
            sweep.refresh_from_db()
            bar.update(sweep)
            if sweep.is_final:
                bar.close(sweep)
                return sweep
            # A worker that died mid-sweep leaves a stale heartbeat; waiting
            # here is a good moment to hand the sweep to a live worker.
            if time.monotonic() - last_recovery > 5:
                recover_stale_sweeps()
                last_recovery = time.monotonic()
            time.sleep(0.5)
