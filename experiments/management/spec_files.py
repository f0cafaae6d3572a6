"""Spec files and sweep options as the commands take them: one place, so
``validate_experiment``, ``runexperiment`` and ``startsweep`` read a file,
report its errors and check ``--concurrency`` alike (exit 1 on bad input)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from experiments.models import Experiment
from experiments.services import create_experiment
from experiments.spec import SpecInvalid, SpecResult, parse_spec_text
from experiments.spec.schema import MAX_CONCURRENCY


def read_spec_file(path: str) -> Any:
    """Parse a spec file for a command; errors become a CommandError (exit 1)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read {path}: {exc}") from None
    try:
        return parse_spec_text(text)
    except SpecInvalid as exc:
        raise CommandError(f"{path}: {exc}") from None


def file_context(file: str, dataset_file: str | None) -> dict[str, Any]:
    """The validator options of a spec read from ``file``: a dataset file may
    be read, relative to the spec's directory, or given with --dataset-file."""
    return {
        "allow_file": True,
        "base_dir": Path(file).resolve().parent,
        "dataset_file": Path(dataset_file).resolve() if dataset_file else None,
    }


def report_invalid(command: BaseCommand, file: str, exc: SpecInvalid) -> CommandError:
    """Every error on stderr with its path; the CommandError to raise (exit 1)."""
    for error in exc.errors:
        command.stderr.write(str(error))
    return CommandError(f"{file}: {len(exc.errors)} error(s)")


def check_concurrency(value: int | None) -> None:
    """``--concurrency`` within the spec's bounds, checked before anything is
    stored (0 used to mean "the spec's", and a negative reached the database)."""
    if value is not None and not 1 <= value <= MAX_CONCURRENCY:
        raise CommandError(
            f"--concurrency must be a number from 1 to {MAX_CONCURRENCY}, got {value}"
        )


def store_spec(
    command: BaseCommand, file: str, dataset_file: str | None
) -> tuple[Experiment, SpecResult]:
    """Validate and store a spec file; invalid -> every error, exit 1."""
    document = read_spec_file(file)
    try:
        return create_experiment(document, None, **file_context(file, dataset_file))
    except SpecInvalid as exc:
        raise report_invalid(command, file, exc) from None
