"""A running sweep's caps (``Sweep.caps``, set by the MCP server's budgets):
calls, cost, and how long an endpoint may stay rate-limited. The control
loop asks ``check`` every tick; a cap reached ends the sweep as cancelled,
its ``error_message`` saying which (``store.caps.stop_at_cap``)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from experiments.engine.events import EndpointState
from experiments.engine.store import caps as store_caps

Db = Callable[[Callable[..., Any]], Callable[..., Awaitable[Any]]]


class CapWatch:
    def __init__(self, sweep_id: int, caps: dict, db: Db) -> None:
        self.sweep_id, self.caps, self.db = sweep_id, caps, db
        self.limited_since: dict[str, float] = {}
        self.stopped = False

    @classmethod
    async def load(cls, sweep_id: int, db: Db) -> CapWatch:
        return cls(sweep_id, await db(store_caps.caps_of)(sweep_id), db)

    @property
    def active(self) -> bool:
        return bool(self.caps) and not self.stopped

    def rate_limited(self, limits: dict[str, EndpointState]) -> str:
        """An endpoint with requests backing off (429s, retries) for longer
        than ``rate_limited_s`` without a break, or ""."""
        patience = self.caps.get("rate_limited_s")
        if patience is None:
            return ""
        now = time.monotonic()
        for name, state in limits.items():
            if not state["backoff"]:
                self.limited_since.pop(name, None)
                continue
            since = self.limited_since.setdefault(name, now)
            if now - since > patience:
                return (
                    f"stopped: endpoint {name} stayed rate-limited for more "
                    f"than {patience:g} s (rate_limited_s)"
                )
        return ""

    async def check(self, limits: dict[str, EndpointState]) -> None:
        reason = self.rate_limited(limits)
        if not reason and ("max_calls" in self.caps or "max_cost" in self.caps):
            reason = await self.db(store_caps.cap_reached)(self.sweep_id, self.caps)
        if reason:
            self.stopped = True
            await self.db(store_caps.stop_at_cap)(self.sweep_id, reason)
