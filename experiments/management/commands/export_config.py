from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from experiments.exceptions import DomainError
from experiments.management.cli_checks import CLI_CHECKS
from experiments.models import Sweep
from experiments.services.analysis import config_spec


class Command(BaseCommand):
    requires_system_checks = CLI_CHECKS  # not the API's (cli_checks.py)
    help = (
        "Write one config of a sweep (by default its best) as a spec that runs "
        "that config alone: its prompt, model and params (a pipeline's choice "
        "per stage) on the sweep's dataset, with its scorers and endpoints "
        "(no keys). Run it with runexperiment."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("sweep_id", type=int)
        parser.add_argument("--config", help="a config_hash (default: the best)")
        parser.add_argument(
            "-o", "--output", help="the file to write (default: stdout)"
        )

    def handle(self, *args, sweep_id: int, config: str | None, output, **options):
        sweep = Sweep.objects.filter(pk=sweep_id).first()
        if sweep is None:
            raise CommandError(f"no sweep {sweep_id}")
        try:
            spec = config_spec(sweep, config)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        if output is None:
            self.stdout.write(spec.text, ending="")
            return
        try:
            Path(output).write_text(spec.text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror}") from None
        self.stderr.write(f"wrote {output}: python manage.py runexperiment {output}")
