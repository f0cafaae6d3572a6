from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from experiments.management.cli_checks import CLI_CHECKS
from experiments.services.events import count_thinnable, thin_sweep_events


class Command(BaseCommand):
    requires_system_checks = CLI_CHECKS  # not the API's (cli_checks.py)
    help = (
        "Thin the event logs of sweeps finished more than N days ago "
        "(PROMPTLOOPER_EVENT_RETENTION_DAYS by default): progress, run.batch "
        "and leaderboard events go except the last of each; created, status "
        "and steering events stay. The worker runs this daily."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days", type=int, help="override PROMPTLOOPER_EVENT_RETENTION_DAYS"
        )
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, days: int | None, dry_run: bool, **options) -> None:
        if days is not None and days < 0:
            raise CommandError("--days must be 0 (keep everything) or more")
        days = settings.EVENT_RETENTION_DAYS if days is None else days
        if days == 0:
            self.stdout.write("retention is off (0 days): nothing thinned")
            return
        if dry_run:
            self.stdout.write(f"would delete {count_thinnable(days)} sweep events")
            return
        self.stdout.write(f"deleted {thin_sweep_events(days)} sweep events")
