"""The live stream's polling fallback, for clients whose WebSockets are blocked."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from experiments.api.serializers.events import (
    EventsQuerySerializer,
    SweepEventsSerializer,
)
from experiments.live.longpoll import events_since


class SweepEventsMixin:
    """The ``events`` action of ``SweepViewSet`` (its scoping and roles)."""

    @extend_schema(parameters=[EventsQuerySerializer], responses=SweepEventsSerializer)
    @action(detail=True, methods=["get"], pagination_class=None)
    def events(self, request, pk=None) -> Response:
        """The sweep's events after `after`, in `seq` order, as the WebSocket
        sends them (at most 1,000 per answer). When there is none yet, the
        answer waits up to `wait` seconds for one (a long poll)."""
        sweep = self.get_object()
        query = EventsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        after = query.validated_data["after"]
        events = events_since(sweep.pk, after, query.validated_data["wait"])
        last_seq = events[-1]["seq"] if events else after
        return Response({"events": events, "last_seq": last_seq})
