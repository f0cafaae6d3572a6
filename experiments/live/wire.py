"""An event's bytes on the wire, made once per web process, not per client.

A ``run.batch`` event can be tens of kilobytes; 50 sockets on one sweep
would otherwise encode it 50 times, and the in-memory channel layer would
deep-copy it 50 times (it copies every message per channel), each a few
milliseconds of the event loop.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

from experiments.engine.events import EventMessage

CACHED = 512  # events: a few seconds of the busiest sweeps

_texts: OrderedDict[int, str] = OrderedDict()


class SharedEvent(dict):
    """An event the follower hands to every consumer of its process. Nobody
    changes it, so copying it per channel is skipped."""

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedEvent:
        return self


def encode(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"))


def event_text(event: EventMessage) -> str:
    """The event as JSON text; an event (by id) never changes, so its text
    is kept for the next consumer (the event loop's thread only)."""
    text = _texts.get(event["id"])
    if text is None:
        text = _texts[event["id"]] = encode(dict(event))
        if len(_texts) > CACHED:
            _texts.popitem(last=False)
    return text
