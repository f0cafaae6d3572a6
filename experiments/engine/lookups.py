"""Cache lookups asked for at about the same moment share one query.

The llm_judge asks for one cache key per scored run, one at a time; without
this, scoring a batch of runs would be one query per run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

Lookup = Callable[[list[str]], Awaitable[dict[str, Any]]]


class LookupBatcher:
    def __init__(self, lookup: Lookup, window_s: float = 0.005):
        self.lookup = lookup
        self.window_s = window_s
        self.waiting: dict[str, list[asyncio.Future]] = {}
        self.flusher: asyncio.Task | None = None

    async def get(self, key: str) -> Any:
        """The stored row for ``key``, or None."""
        future = asyncio.get_running_loop().create_future()
        self.waiting.setdefault(key, []).append(future)
        if self.flusher is None:
            self.flusher = asyncio.create_task(self.flush())
        return await future

    async def flush(self) -> None:
        await asyncio.sleep(self.window_s)
        # Keys asked for while this query runs go into the next one.
        waiting, self.waiting, self.flusher = self.waiting, {}, None
        try:
            found = await self.lookup(list(waiting))
        except Exception as exc:
            for futures in waiting.values():
                for future in futures:
                    if not future.done():
                        future.set_exception(exc)
            return
        for key, futures in waiting.items():
            for future in futures:
                if not future.done():
                    future.set_result(found.get(key))
