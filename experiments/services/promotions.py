"""Promotions: make a config of a sweep the one a label of its experiment
deploys, keep the label's history and roll back (docs/api.md, "Promotion and
deployments"); what a pipeline fetches is ``deployments.py``'s.

A promotion copies, when it is made, what a pipeline needs to run the config
(per stage: the prompt version's messages, the endpoint's name, kind, base
URL and key variable, the model and params; never a key) and what the config
scored. A deployed pipeline therefore keeps fetching what was promoted, even
after a new prompt version, an edited endpoint or a deleted sweep; promoting
again is how it changes.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import QuerySet

from experiments.exceptions import Conflict, InvalidRequest
from experiments.models import Experiment, Promotion, Run, Sweep
from experiments.services.analysis import check_config as config_of
from experiments.services.analysis import leaderboard
from experiments.services.deployments import deployment_stages
from experiments.services.projects import require_role, signed_in
from experiments.types import UserLike

LABEL = re.compile(r"[a-z0-9][a-z0-9_-]{0,49}")
MAX_NOTE = 500  # Promotion.note
MIN_PREFIX = 6  # a config hash may be given by its start, as tables show it
# What a promotion keeps of the config's leaderboard row.
SCORE_KEYS = (
    "rank", "score", "ci95", "n", "scores", "runs", "errors", "error_rate",
    "cost_per_run", "cost_total", "latency_ms_p50", "latency_ms_p95",
    "tied_with_best",
)  # fmt: skip


class PromotionInvalid(InvalidRequest):
    """A promotion's input refused; ``field`` names it (``config``, ``label``,
    ``promotion``)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def check_label(label: str) -> str:
    if not isinstance(label, str) or not LABEL.fullmatch(label):
        raise PromotionInvalid(
            "label",
            "a label is 1 to 50 lowercase letters, digits, hyphens or "
            f"underscores, starting with a letter or digit (got {label!r})",
        )
    return label


def check_note(note: str) -> str:
    if len(note) > MAX_NOTE:
        raise PromotionInvalid("note", f"at most {MAX_NOTE} characters")
    return note


def check_config(sweep: Sweep, config: str) -> str:
    """The full hash of the sweep's config ``config`` (a hash, or its first
    ``MIN_PREFIX``+ characters) that has at least one done run."""
    done = sweep.runs.filter(status=Run.Status.DONE)
    if done.filter(config_hash=config).exists():
        return config
    found: list[str] = []
    if len(config) >= MIN_PREFIX:
        found = list(
            done.filter(config_hash__startswith=config)
            .order_by()
            .values_list("config_hash", flat=True)
            .distinct()[:2]
        )
    if len(found) == 1:
        return found[0]
    if found:
        raise PromotionInvalid("config", f'"{config}" starts more than one config')
    if sweep.runs.filter(config_hash=config).exists():
        raise PromotionInvalid(
            "config", f'config "{config}" has no done run in sweep {sweep.pk}'
        )
    raise PromotionInvalid(
        "config", f'unknown config "{config}": not a config of sweep {sweep.pk}'
    )


def check_sweep(sweep: Sweep) -> None:
    """Only a finished sweep's configs are promoted: their scores no longer
    change under the promotion's copy of them."""
    if not sweep.is_final:
        raise Conflict(
            f"sweep {sweep.pk} is {sweep.status}; promote its configs once it "
            "has finished (or cancel it)"
        )


@transaction.atomic
def promote_config(
    sweep: Sweep,
    config: str,
    label: str,
    user: UserLike = None,
    note: str = "",
) -> Promotion:
    """Make config ``config`` of ``sweep`` the current one of ``label`` in
    the sweep's experiment. Raises ``Forbidden`` (editors and owners
    promote), ``Conflict`` (the sweep has not finished) or
    ``PromotionInvalid``; nothing is stored then."""
    experiment = sweep.experiment
    require_role(experiment.project, user, "editor")
    check_sweep(sweep)
    check_label(label)
    check_note(note)
    config_hash = check_config(sweep, config)
    run_config = config_of(sweep, config_hash)
    row = next((r for r in leaderboard(sweep) if r["config_hash"] == config_hash), {})
    return Promotion.objects.create(
        experiment=experiment,
        label=label,
        sweep=sweep,
        sweep_number=sweep.pk,
        config_hash=config_hash,
        config=run_config,
        deployment=deployment_stages(sweep, run_config),
        scores={key: row.get(key) for key in SCORE_KEYS if key in row},
        note=note,
        promoted_by=signed_in(user),
    )


@transaction.atomic
def promote_again(
    promotion: Promotion,
    user: UserLike = None,
    label: str | None = None,
    note: str = "",
) -> Promotion:
    """Promote an earlier promotion's copy again, to its label (a rollback)
    or to ``label``: a new history entry, the same config, stages and scores
    (its sweep may have been deleted since)."""
    require_role(promotion.experiment.project, user, "editor")
    return Promotion.objects.create(
        experiment=promotion.experiment,
        label=check_label(label or promotion.label),
        sweep_id=promotion.sweep_id,
        sweep_number=promotion.sweep_number,
        config_hash=promotion.config_hash,
        config=promotion.config,
        deployment=promotion.deployment,
        scores=promotion.scores,
        source=promotion,
        note=check_note(note),
        promoted_by=signed_in(user),
    )


def rollback(
    experiment: Experiment,
    label: str,
    user: UserLike = None,
    to: int | None = None,
    note: str = "",
) -> Promotion:
    """Promote again, to ``label``, the promotion ``rollback_source`` picks.
    Raises ``Forbidden`` or ``PromotionInvalid``."""
    require_role(experiment.project, user, "editor")
    return promote_again(rollback_source(experiment, label, to), user, label, note)


def rollback_source(
    experiment: Experiment, label: str, to: int | None = None
) -> Promotion:
    """The promotion a rollback of ``label`` repeats: ``to`` (an id of the
    experiment's history), by default the label's latest before its current
    one that promoted another config. Raises ``PromotionInvalid``
    ("promotion", "label") when there is none."""
    check_label(label)
    if to is not None:
        earlier = experiment.promotions.filter(pk=to).first()
        if earlier is None:
            raise PromotionInvalid(
                "promotion", f"no promotion {to} in experiment {experiment.name}"
            )
        return earlier
    current = Promotion.objects.current(experiment, label)
    earlier = (
        None
        if current is None
        else Promotion.objects.of_label(experiment, label)
        .exclude(pk=current.pk)
        .exclude(config_hash=current.config_hash)
        .order_by("-promoted_at", "-id")
        .first()
    )
    if earlier is None:
        raise PromotionInvalid(
            "label", f'"{label}" has no earlier promotion of another config'
        )
    return earlier


def promotion_history(
    experiment: Experiment, label: str | None = None
) -> QuerySet[Promotion]:
    """The experiment's promotions, latest first (the first of a label is
    its current one)."""
    promotions = experiment.promotions.select_related("promoted_by")
    return promotions.filter(label=label) if label else promotions
