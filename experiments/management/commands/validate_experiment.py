from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from experiments.services import validate_experiment_spec
from experiments.services.model_check import unlisted_model_warnings
from experiments.spec import SpecInvalid, parse_spec_text


def read_spec_file(path: str):
    """Parse a spec file for a command; errors become a CommandError (exit 1)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read {path}: {exc}") from None
    try:
        return parse_spec_text(text)
    except SpecInvalid as exc:
        raise CommandError(f"{path}: {exc}") from None


class Command(BaseCommand):
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
        result = validate_experiment_spec(
            document,
            allow_file=True,
            base_dir=Path(file).resolve().parent,
            dataset_file=Path(dataset_file).resolve() if dataset_file else None,
        )
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{file}: {len(result.errors)} error(s)")
        self.stdout.write(f"ok: {result.summary()}")
        if check_endpoints:
            for warning in unlisted_model_warnings(result.spec):
                self.stderr.write(f"warning: {warning}")
