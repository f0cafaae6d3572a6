from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from experiments.exceptions import DomainError
from experiments.management.cli_checks import CLI_CHECKS
from experiments.models import Experiment, Project
from experiments.services.cache import purge_queryset


class Command(BaseCommand):
    requires_system_checks = CLI_CHECKS  # not the API's (cli_checks.py)
    help = (
        "Delete cached responses by experiment, model, endpoint URL or age "
        "(filters combine); --all deletes every entry."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--project", help="limit to this project")
        parser.add_argument("--experiment", help="entries its sweeps used")
        parser.add_argument("--model")
        parser.add_argument("--endpoint", help="the endpoint's base URL")
        parser.add_argument("--older-than-days", type=float)
        parser.add_argument("--all", action="store_true", dest="everything")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options) -> None:
        project = experiment = None
        if options["project"]:
            project = Project.objects.filter(name=options["project"]).first()
            if project is None:
                raise CommandError(f'no project "{options["project"]}"')
        if options["experiment"]:
            matches = Experiment.objects.filter(name=options["experiment"])
            if project is not None:
                matches = matches.filter(project=project)
            if matches.count() != 1:
                raise CommandError(
                    f'{matches.count()} experiments are named "{options["experiment"]}"'
                    + ("; add --project" if matches.count() > 1 else "")
                )
            experiment = matches.get()
        try:
            rows = purge_queryset(
                project=project,
                experiment=experiment,
                model=options["model"],
                endpoint=options["endpoint"],
                older_than_days=options["older_than_days"],
                everything=options["everything"],
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        if options["dry_run"]:
            self.stdout.write(f"would delete {rows.count()} cached responses")
            return
        deleted, _ = rows.delete()
        self.stdout.write(f"deleted {deleted} cached responses")
