"""WebSocket streams: one sweep (``/ws/sweeps/<id>/``) and one project's
sweeps (``/ws/projects/<id>/``).

A connection is refused in ``connect`` (HTTP 403 to the handshake) unless
its caller (``auth``) may see the sweep or project, by the API's own
scoping (``visible_projects``): an outsider, a bad credential and a sweep
that does not exist are refused alike. A socket outlives the credential
and the membership it opened with: before an event goes out, at most every
``LIVE_RECHECK_S``, the caller is admitted again (``still_valid``, then the
same scoping); refused, the socket gets an error and closes with 4403.

Ordering (docs/api.md, "Live sweeps"): a consumer joins its group before it
reads the log, so every event is either read or arrives live, some both. The
sweep stream sends each ``seq`` once, in order: live events at or below the
last sent are dropped, and one that jumps ahead first fills the gap from the
log (with Redis, events published by different processes can arrive out of
order; in-memory channels drop messages past their capacity).
"""

from __future__ import annotations

import json
import logging
import time
from functools import partial
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db.models import QuerySet

from experiments.api.ids import parse_id
from experiments.api.serializers.sweeps import SweepSerializer
from experiments.engine.events import (
    EventMessage,
    events_after,
    project_events_after,
    project_group,
    sweep_group,
)
from experiments.exceptions import DomainError
from experiments.live.auth import (
    BEARER,
    Caller,
    authenticate,
    query_params,
    still_valid,
)
from experiments.live.follower import Follower, follower
from experiments.live.steering import steer
from experiments.live.wire import encode, event_text
from experiments.models import Project, Sweep, SweepEvent
from experiments.services.access import visible_projects

log = logging.getLogger(__name__)
# Off the event loop, in the loop's thread pool: a burst of connections is
# served in parallel, not one by one in the single thread-sensitive thread.
in_thread = partial(database_sync_to_async, thread_sensitive=False)
MAX_MESSAGE_CHARS = 4096
# Close codes after the handshake (before it, a refusal is HTTP 403).
BAD_REQUEST = 4400
FORBIDDEN = 4403  # the caller may no longer watch
# The newest sweeps a project's hello lists.
PROJECT_HELLO_SWEEPS = 100
PAGE = 1000  # events per read of the log


class StreamConsumer(AsyncWebsocketConsumer):
    """What both streams share: the caller, the group, the follower."""

    group = ""
    joined = False
    follower: Follower | None = None
    admitted = True
    checked_at = 0.0  # time.monotonic() of the last admission

    async def connect(self) -> None:
        target_id = parse_id(self.scope["url_route"]["kwargs"]["pk"])
        caller = None if target_id is None else await in_thread(self.admit)(target_id)
        if caller is None:
            await self.close()  # before accept: the handshake gets 403
            return
        self.caller: Caller = caller
        self.target_id = target_id
        self.checked_at = time.monotonic()
        offered = self.scope.get("subprotocols") or []
        await self.accept(subprotocol=BEARER if BEARER in offered else None)
        after = _cursor(query_params(self.scope).get("after"))
        if after is False:
            await self.send_error("after must be a whole number (0 or more)")
            await self.close(code=BAD_REQUEST)
            return
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.joined = True
        following = follower()
        if following is not None:
            await following.acquire()
            self.follower = following  # released in disconnect
        await self.start(after)

    def admit(self, target_id: int) -> Caller | None:
        """The caller, if it may watch the target (one refusal for all)."""
        caller = authenticate(self.scope)
        return caller if caller and self.may_watch(caller, target_id) else None

    async def disconnect(self, code: int) -> None:
        if self.joined:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.joined = False
        if self.follower is not None:
            self.follower.release()
            self.follower = None

    def may_watch(self, caller: Caller, target_id: int) -> bool:
        raise NotImplementedError

    async def start(self, after: int | None) -> None:
        raise NotImplementedError

    async def send_json(self, content: dict[str, Any]) -> None:
        await self.send(text_data=encode(content))

    async def send_event(self, event: EventMessage) -> None:
        if await self.still_admitted():
            await self.send(text_data=event_text(event))

    async def still_admitted(self) -> bool:
        """Admit the caller again if ``LIVE_RECHECK_S`` have passed since the
        last time; once refused, send an error, close, and send nothing more."""
        if not self.admitted:
            return False
        if time.monotonic() - self.checked_at < settings.LIVE_RECHECK_S:
            return True
        self.admitted = await in_thread(self.readmit)()
        self.checked_at = time.monotonic()
        if not self.admitted:
            await self.send_error("you may no longer watch this stream")
            await self.close(code=FORBIDDEN)
        return self.admitted

    def readmit(self) -> bool:
        return still_valid(self.caller) and self.may_watch(self.caller, self.target_id)

    async def send_error(self, message: str, **extra: Any) -> None:
        await self.send_json({"type": "error", "message": message, **extra})

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None
    ) -> None:
        if text_data is None or len(text_data) > MAX_MESSAGE_CHARS:
            await self.send_error("send a JSON text message (at most 4096 characters)")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.send_error("the message is not JSON")
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any) -> None:
        await self.send_error("this stream takes no messages")


def _cursor(raw: str | None) -> int | bool | None:
    """``?after=``: None when absent, False when malformed."""
    if raw is None:
        return None
    return int(raw) if raw.isdigit() and len(raw) < 19 else False


class SweepConsumer(StreamConsumer):
    """``/ws/sweeps/<id>/``: hello, replay after ``?after=<seq>``, then live
    events; editors and owners steer with ``{"action": ..., "value": n}``."""

    def may_watch(self, caller: Caller, target_id: int) -> bool:
        self.sweep_id = target_id
        self.group = sweep_group(target_id)
        visible = visible_projects(caller.user, caller.api_key)
        return Sweep.objects.filter(
            pk=target_id, experiment__project__in=visible
        ).exists()

    async def start(self, after: int | None) -> None:
        hello, page = await in_thread(self.greeting)(after)
        await self.send_json(hello)
        # Without ``after`` what came before is in the snapshot.
        self.last = hello["seq"] if after is None else min(after, hello["seq"])
        for event in page:
            await self.deliver(event)
        if len(page) == PAGE:
            await self.fill()

    def greeting(self, after: int | None) -> tuple[dict, list[EventMessage]]:
        """The hello and the first page of the replay, in one thread call."""
        # The seq first: an event after it is sent, whatever the snapshot has.
        seq = Sweep.objects.values_list("last_event_seq", flat=True).get(
            pk=self.sweep_id
        )
        sweep = Sweep.objects.select_related("experiment").get(pk=self.sweep_id)
        hello = {"type": "hello", "seq": seq, "sweep": SweepSerializer(sweep).data}
        if after is None:
            return hello, []
        return hello, events_after(self.sweep_id, min(after, seq), PAGE)

    async def fill(self) -> None:
        """Send every logged event after the last sent, in pages."""
        while True:
            page = await in_thread(events_after)(self.sweep_id, self.last, PAGE)
            for event in page:
                await self.deliver(event)
            if len(page) < PAGE:
                return

    async def deliver(self, event: EventMessage) -> None:
        if event["seq"] > self.last:
            await self.send_event(event)
            self.last = event["seq"]

    async def sweep_event(self, message: dict[str, Any]) -> None:
        event: EventMessage = message["event"]
        if event["seq"] > self.last + 1:
            await self.fill()
        await self.deliver(event)

    async def receive_json(self, content: Any) -> None:
        action = content.get("action") if isinstance(content, dict) else None
        if not isinstance(action, str):
            await self.send_error(
                'expected {"action": "pause" | "resume" | "cancel" | '
                '"concurrency", "value": n}'
            )
            return
        value = content.get("value")
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int)
        ):
            await self.send_error("value must be a whole number", action=action)
            return
        try:
            await in_thread(steer)(self.caller, self.sweep_id, action, value)
        except DomainError as exc:
            await self.send_error(str(exc), action=action)
        except Exception:  # the database, say: this socket stays open
            log.exception("steering sweep %s from a socket failed", self.sweep_id)
            message = "the sweep could not be steered; try again"
            await self.send_error(message, action=action)


class ProjectConsumer(StreamConsumer):
    """``/ws/projects/<id>/``: its sweeps' created, status and progress
    events; the cursor is the event ``id`` (``?after=<id>``)."""

    def may_watch(self, caller: Caller, target_id: int) -> bool:
        self.project_id = target_id
        self.group = project_group(target_id)
        visible = visible_projects(caller.user, caller.api_key)
        return visible.filter(pk=target_id).exists()

    async def start(self, after: int | None) -> None:
        await self.send_json(await in_thread(self.greeting)())
        while after is not None:
            page = await in_thread(project_events_after)(self.project_id, after, PAGE)
            for event in page:
                await self.send_event(event)
                self.note(event)
                after = event["id"]
            if len(page) < PAGE:
                return

    def greeting(self) -> dict[str, Any]:
        # Read before the snapshot, in this order: the cursor, then each
        # sweep's seq (the live events at or below it are in the snapshot).
        last = SweepEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
        project = Project.objects.get(pk=self.project_id)
        self.seen = dict(project_sweeps(project).values_list("pk", "last_event_seq"))
        sweeps = project_sweeps(project).select_related("experiment")
        newest = sweeps.order_by("-created_at", "-pk")[:PROJECT_HELLO_SWEEPS]
        return {
            "type": "hello",
            "id": last or 0,
            "project": project.pk,
            "sweeps": SweepSerializer(newest, many=True).data,
        }

    def note(self, event: EventMessage) -> None:
        self.seen[event["sweep"]] = max(self.seen.get(event["sweep"], 0), event["seq"])

    async def sweep_event(self, message: dict[str, Any]) -> None:
        # By seq per sweep, not by id: on PostgreSQL ids of different sweeps'
        # events can commit out of order. Only this stream's types come here,
        # so a sweep's seqs have gaps: no gap filling, only no duplicates.
        event: EventMessage = message["event"]
        if event["seq"] > self.seen.get(event["sweep"], 0):
            await self.send_event(event)
            self.note(event)


def project_sweeps(project: Project) -> QuerySet[Sweep]:
    return Sweep.objects.filter(experiment__project=project)
