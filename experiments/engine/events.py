"""Sweep events: the only sender. Every event is appended to the sweep's event
log (replayable by ``seq``) and, with Redis, broadcast on the channel layer."""

from __future__ import annotations

import logging
from typing import Any, Literal, TypedDict

from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import transaction
from django.db.models import F

from experiments.models import Sweep, SweepEvent

log = logging.getLogger(__name__)

EventType = Literal["status", "progress", "steer"]


class SweepEventMessage(TypedDict):
    type: EventType
    sweep: int
    seq: int
    payload: dict[str, Any]


def group_name(sweep_id: int) -> str:
    return f"sweep_{sweep_id}"


@transaction.atomic
def publish(sweep_id: int, type: EventType, payload: dict[str, Any]) -> SweepEvent:
    Sweep.objects.filter(pk=sweep_id).update(last_event_seq=F("last_event_seq") + 1)
    seq = Sweep.objects.values_list("last_event_seq", flat=True).get(pk=sweep_id)
    event = SweepEvent.objects.create(
        sweep_id=sweep_id, seq=seq, type=type, payload=payload
    )
    message = SweepEventMessage(type=type, sweep=sweep_id, seq=seq, payload=payload)
    transaction.on_commit(lambda: _broadcast(message))
    return event


def _broadcast(message: SweepEventMessage) -> None:
    # In single-container mode the in-memory layer reaches no other process;
    # the dashboard reads the event log there instead.
    if not settings.REDIS_URL:
        return
    from channels.layers import get_channel_layer

    try:
        async_to_sync(get_channel_layer().group_send)(
            group_name(message["sweep"]), {"type": "sweep.event", "event": message}
        )
    except Exception:  # a live view missing one event must not fail the sweep
        log.warning("could not broadcast sweep event", exc_info=True)
