"""The polling fallback's query and answer (``GET /api/sweeps/{id}/events/``)."""

from __future__ import annotations

from typing import get_args

from rest_framework import serializers

from experiments.engine.events import EventType
from experiments.live.longpoll import MAX_WAIT_S


class EventsQuerySerializer(serializers.Serializer):
    after = serializers.IntegerField(
        min_value=0,
        max_value=2**63 - 1,
        default=0,
        help_text="Only events with a larger `seq` (the `last_seq` of the previous "
        "answer; 0 for all of them).",
    )
    wait = serializers.IntegerField(
        min_value=0,
        max_value=int(MAX_WAIT_S),
        default=int(MAX_WAIT_S),
        help_text="Seconds to wait for an event when none is new (0: answer at once).",
    )


class EventMessageSerializer(serializers.Serializer):
    """One event, as the WebSocket sends it."""

    type = serializers.ChoiceField(choices=get_args(EventType))
    seq = serializers.IntegerField(help_text="Per sweep, from 1, in order.")
    id = serializers.IntegerField(help_text="The event log's row id.")
    sweep = serializers.IntegerField()
    project = serializers.IntegerField()
    at = serializers.DateTimeField()
    payload = serializers.DictField(help_text="By type: docs/api.md, Live sweeps.")


class SweepEventsSerializer(serializers.Serializer):
    events = EventMessageSerializer(many=True)
    last_seq = serializers.IntegerField(
        help_text="The `seq` of the last event here (else `after`): send it as "
        "`after` next time."
    )
