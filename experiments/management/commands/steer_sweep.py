from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from experiments.exceptions import DomainError
from experiments.management.cli_checks import CLI_CHECKS
from experiments.models import Sweep
from experiments.services.sweeps import STEER_ACTIONS, steer_sweep


class Command(BaseCommand):
    requires_system_checks = CLI_CHECKS  # not the API's (cli_checks.py)
    help = "Steer a running sweep: pause | resume | cancel | concurrency N."

    def add_arguments(self, parser) -> None:
        parser.add_argument("sweep_id", type=int)
        parser.add_argument("action", choices=STEER_ACTIONS)
        parser.add_argument("value", nargs="?", type=int, help="for concurrency")

    def handle(self, *args, sweep_id: int, action: str, value: int | None, **options):
        sweep = Sweep.objects.filter(pk=sweep_id).first()
        if sweep is None:
            raise CommandError(f"no sweep {sweep_id}")
        try:
            sweep = steer_sweep(sweep, action, None, value)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        extra = f", concurrency {sweep.concurrency}" if action == "concurrency" else ""
        self.stdout.write(f"sweep {sweep.pk}: {sweep.status}{extra}")
