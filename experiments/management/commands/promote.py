from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from experiments.exceptions import DomainError
from experiments.management.cli_checks import CLI_CHECKS
from experiments.models import Experiment, Promotion, Sweep
from experiments.services.deployments import username
from experiments.services.promotions import (
    promote_config,
    promotion_history,
    rollback,
)

USAGE = (
    "promote SWEEP CONFIG_HASH LABEL | promote --history EXPERIMENT [--label L] "
    "| promote --rollback EXPERIMENT LABEL [--to PROMOTION]"
)


class Command(BaseCommand):
    requires_system_checks = CLI_CHECKS  # not the API's (cli_checks.py)
    help = (
        "Promote a config of a finished sweep to a label of its experiment "
        "(production, staging): SWEEP CONFIG_HASH LABEL. --history EXPERIMENT "
        "lists an experiment's promotions; --rollback EXPERIMENT LABEL promotes "
        "the label's previous config (or --to PROMOTION) again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("args", nargs="*", metavar="ARG")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--history", action="store_true")
        mode.add_argument("--rollback", action="store_true")
        parser.add_argument("--label", help="with --history: only this label")
        parser.add_argument("--to", type=int, help="with --rollback: a promotion id")
        parser.add_argument("--note", default="", help="why (kept in the history)")
        parser.add_argument(
            "--user", help="record (and check the role of) this user, not the CLI"
        )

    def handle(self, *args: str, **options) -> None:
        expected = 1 if options["history"] else 2 if options["rollback"] else 3
        if len(args) != expected:
            raise CommandError(f"usage: {USAGE}")
        user = _user(options["user"])
        try:
            if options["history"]:
                self._history(_experiment(args[0]), options["label"])
                return
            if options["rollback"]:
                promotion = rollback(
                    _experiment(args[0]), args[1], user, options["to"], options["note"]
                )
            else:
                promotion = promote_config(
                    _sweep(args[0]), args[1], args[2], user, options["note"]
                )
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{promotion.label}: {_line(promotion)}")

    def _history(self, experiment: Experiment, label: str | None) -> None:
        history = list(promotion_history(experiment, label)[:200])
        if not history:
            self.stdout.write(f"no promotions in experiment {experiment.name}")
        for promotion in history:
            self.stdout.write(f"{promotion.label:<14} {_line(promotion)}")


def _line(promotion: Promotion) -> str:
    score = promotion.scores.get("score")
    score_text = "-" if score is None else f"{score:.4f}"
    by = username(promotion) or "command line"
    again = f" (again: #{promotion.source_id})" if promotion.source_id else ""
    return (
        f"#{promotion.pk} config {promotion.config_hash[:12]} of sweep "
        f"{promotion.sweep_number}, score {score_text} "
        f"(n={promotion.scores.get('n', 0)}), by {by} at "
        f"{promotion.promoted_at:%Y-%m-%d %H:%M:%S}{again}"
        + (f": {promotion.note}" if promotion.note else "")
    )


def _sweep(value: str) -> Sweep:
    sweep = Sweep.objects.select_related("experiment__project").filter(
        pk=_id(value, "sweep")
    )
    if not sweep:
        raise CommandError(f"no sweep {value}")
    return sweep[0]


def _experiment(value: str) -> Experiment:
    """An experiment id, or PROJECT/NAME."""
    found = Experiment.objects.select_related("project")
    if _is_id(value):
        experiment = found.filter(pk=int(value)).first()
    else:
        project, _, name = value.partition("/")
        experiment = found.filter(project__name=project, name=name).first()
    if experiment is None:
        raise CommandError(f"no experiment {value} (give its id or PROJECT/NAME)")
    return experiment


def _id(value: str, what: str) -> int:
    if not _is_id(value):
        raise CommandError(f"{what} must be an id, got {value!r}")
    return int(value)


def _is_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= 18


def _user(name: str | None):
    if name is None:
        return None
    user = get_user_model().objects.filter(username=name, is_active=True).first()
    if user is None:
        raise CommandError(f"no active user {name}")
    return user
