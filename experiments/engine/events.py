"""Sweep events: the only sender, ``publish()``. Every event is appended to
its sweep's event log (replayable by ``seq``, which counts per sweep from 1)
and, once committed, broadcast on the channel layer to the sweep's group and,
for the kinds a project's page shows, to the project's group.

With Redis the channel layer reaches every web process. Without it (single
container mode: the worker is another process) the web process follows the
event log itself (``experiments.live.follower``) and feeds its own in-memory
layer, so consumers read the same groups in both modes.

The wire format (WebSocket and ``GET /api/sweeps/<id>/events/``) is
``EventMessage``; docs/api.md, "Live sweeps", lists every type's payload.
"""

from __future__ import annotations

import logging
from typing import Any, Literal, TypedDict

from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import transaction
from django.db.models import F

from experiments.models import Sweep, SweepEvent

log = logging.getLogger(__name__)

EventType = Literal[
    "sweep.created",
    "sweep.status",
    "sweep.progress",
    "run.batch",
    "leaderboard",
    "steering",
    "guided.rung",
]
# What a project's stream carries of its sweeps' events.
PROJECT_TYPES: frozenset[str] = frozenset(
    {"sweep.created", "sweep.status", "sweep.progress"}
)
# Never thinned from a finished sweep's log (EVENT_RETENTION_DAYS).
# ``guided.rung``: a guided sweep's decisions, and its pick.
KEPT_TYPES: frozenset[str] = frozenset(
    {"sweep.created", "sweep.status", "steering", "guided.rung"}
)
# The channel layer's message type: consumers handle it as ``sweep_event``.
LAYER_TYPE = "sweep.event"


class SweepCreated(TypedDict):
    """``sweep.created`` (and the ``hello``'s ``sweep``'s core)."""

    id: int
    experiment: dict[str, Any]  # id, name
    status: str
    planned: int | None  # None until the runner has planned the runs
    strategy: str | None
    concurrency: int
    no_cache: bool
    created_by: str | None
    created_at: str


class StatusChange(TypedDict):
    """``sweep.status``: ``error`` says why a sweep failed, else ''."""

    status: str
    error: str


class EndpointState(TypedDict):
    """An endpoint's limit state in ``sweep.progress``."""

    in_flight: int
    waiting: dict[str, int]  # held back by: concurrency, rpm, tpm
    backoff: int  # requests sleeping before a retry
    next_retry_s: float | None
    circuit: str


class Progress(TypedDict):
    """``sweep.progress``, at most 5 a second."""

    done: int
    planned: int
    errors: int
    cache_hits: int
    calls: int
    calls_saved: int
    cost: float
    calls_per_s: float | None
    eta_s: float | None
    endpoints: dict[str, EndpointState]


class FinishedRun(TypedDict):
    """One run of a ``run.batch``."""

    id: int
    config: dict[str, str]  # id (the config hash), label
    item: int
    sample: int
    status: str
    score: float | None
    scores: dict[str, float]
    cache_hit: bool
    latency_ms: float | None
    cost: float | None
    error_kind: str
    stage: str | None  # a pipeline's: the stage it failed in, else its last


class RunBatch(TypedDict):
    runs: list[FinishedRun]


class Leaderboard(TypedDict):
    """The top rows of the analysis' leaderboard, at most once a second."""

    rows: list[dict[str, Any]]
    configs: int
    final: bool


class Steering(TypedDict):
    action: str
    by: str | None  # None: the system
    at: str
    result: dict[str, Any]  # status, concurrency


class RungConfig(TypedDict):
    """A config as a ``guided.rung`` event names it, with its objectives'
    means on the rung's items (``score``, ``-cost``, ``-latency``: higher is
    better, so cost and latency are negated)."""

    id: str  # the config hash
    label: str
    values: dict[str, float]
    # What the decision ranked by: for the score alone, its posterior mean
    # (engine.thompson); for halving, before a bracket's last rung, the score
    # pooled with the configs sharing its axis values (engine.halving.pooled),
    # at the last rung the values themselves.
    ranked_by: dict[str, float]
    items: int  # the items the config has seen (or, if promoted, will have)


class GuidedRung(TypedDict):
    """``guided.rung``: a guided sweep's decision after one step (Thompson
    sampling) or rung (successive halving) of a bracket: who goes on to more
    items, who stops here (dropped only at the bracket's end, for Thompson
    sampling, when the configs shown every item are known)."""

    bracket: int  # from 0
    rung: int  # from 0, within the bracket: a rung or a step
    last: bool  # the bracket's end: the configs shown every item
    items: int  # the most items a config of the bracket has now seen
    promoted: list[RungConfig]
    dropped: list[RungConfig]
    best: RungConfig | None  # the best config evaluated on every item so far
    spent: int  # runs that needed a call so far (cache hits are free)
    budget: int


Payload = (
    SweepCreated
    | StatusChange
    | Progress
    | RunBatch
    | Leaderboard
    | Steering
    | GuidedRung
)


class EventMessage(TypedDict):
    """One event as clients receive it. ``seq``: per sweep, from 1, without
    gaps until retention thins a finished sweep's log; ``id``: the log's row
    id, the cursor of a project's stream."""

    type: str
    seq: int
    id: int
    sweep: int
    project: int
    at: str
    payload: dict[str, Any]  # a Payload, by type


def sweep_group(sweep_id: int) -> str:
    return f"sweep_{sweep_id}"


def project_group(project_id: int) -> str:
    return f"project_{project_id}"


def as_message(event: SweepEvent, project_id: int) -> EventMessage:
    return EventMessage(
        type=event.type,
        seq=event.seq,
        id=event.pk,
        sweep=event.sweep_id,
        project=project_id,
        at=event.created_at.isoformat(),
        payload=event.payload,
    )


@transaction.atomic
def publish(sweep_id: int, type: EventType, payload: Payload) -> SweepEvent:
    Sweep.objects.filter(pk=sweep_id).update(last_event_seq=F("last_event_seq") + 1)
    seq, project_id = Sweep.objects.values_list(
        "last_event_seq", "experiment__project_id"
    ).get(pk=sweep_id)
    event = SweepEvent.objects.create(
        sweep_id=sweep_id, seq=seq, type=type, payload=payload
    )
    message = as_message(event, project_id)
    transaction.on_commit(lambda: broadcast(message))
    return event


def events_after(sweep_id: int, after: int, limit: int = 1000) -> list[EventMessage]:
    """The sweep's logged events with ``seq > after``, in order."""
    rows = (
        SweepEvent.objects.filter(sweep_id=sweep_id, seq__gt=after)
        .select_related("sweep__experiment")
        .order_by("seq")[:limit]
    )
    return [as_message(e, e.sweep.experiment.project_id) for e in rows]


def project_events_after(
    project_id: int, after: int, limit: int = 1000
) -> list[EventMessage]:
    """The project's sweeps' events of ``PROJECT_TYPES`` with ``id > after``."""
    rows = SweepEvent.objects.filter(
        sweep__experiment__project_id=project_id,
        type__in=PROJECT_TYPES,
        pk__gt=after,
    ).order_by("pk")[:limit]
    return [as_message(e, project_id) for e in rows]


def groups_of(message: EventMessage) -> list[str]:
    groups = [sweep_group(message["sweep"])]
    if message["type"] in PROJECT_TYPES:
        groups.append(project_group(message["project"]))
    return groups


def broadcast(message: EventMessage) -> None:
    """Send a committed event to its groups. Only with Redis: without it the
    layer is this process's own, and the web process's follower sends what
    it reads from the log instead."""
    if not settings.REDIS_URL:
        return
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    try:
        for group in groups_of(message):
            async_to_sync(layer.group_send)(
                group, {"type": LAYER_TYPE, "event": message}
            )
    except Exception:  # a live view missing one event must not fail the sweep
        log.warning("could not broadcast sweep event", exc_info=True)
