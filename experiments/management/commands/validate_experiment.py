from __future__ import annotations

from django.core.management.base import BaseCommand

from experiments.management.cli_checks import CLI_CHECKS
from experiments.management.spec_files import (
    file_context,
    read_spec_file,
    report_invalid,
)
from experiments.services import validate_experiment_spec
from experiments.services.model_check import unlisted_model_warnings
from experiments.spec import SpecInvalid
from experiments.spec.concurrency import describe


class Command(BaseCommand):
    requires_system_checks = CLI_CHECKS  # not the API's (cli_checks.py)
    help = (
        "Validate an experiment spec (YAML or JSON) without running it: prints "
        "the number of runs and the estimated cost, or every error with its path."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the spec file (.yaml, .yml or .json)")
        parser.add_argument(
            "--dataset-file",
            help="a .jsonl or .csv file to use as the dataset instead of the spec's",
        )
        parser.add_argument(
            "--check-endpoints",
            action="store_true",
            help="ask each endpoint for its models (GET /models) and warn about "
            "model names it does not list (exit 0 all the same)",
        )

    def handle(
        self,
        *args,
        file: str,
        dataset_file: str | None,
        check_endpoints: bool = False,
        **options,
    ) -> None:
        document = read_spec_file(file)
        result = validate_experiment_spec(document, **file_context(file, dataset_file))
        if not result.ok:
            raise report_invalid(self, file, SpecInvalid(result.errors))
        self.stdout.write(f"ok: {result.summary()}")
        for cap in result.concurrency:
            self.stdout.write(describe(cap))
        if check_endpoints:
            for warning in unlisted_model_warnings(result.spec):
                self.stderr.write(f"warning: {warning}")
