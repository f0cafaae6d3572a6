"""An HTTP client made of several small connection pools.

httpcore 1.0.9 scans every connection of a pool, quadratically, each time a
request enters or leaves it. With 32 requests in flight that scan cost more
CPU than the requests themselves (profiled in the engine benchmark); pools of
a few connections each keep it short. Requests go to the least busy pool, and
a new pool opens when all are full.
"""

from __future__ import annotations

import ssl
from functools import cache
from typing import Any

import httpx

PER_POOL = 4


@cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle takes ~30 ms: once per process, not once per pool.
    return httpx.create_ssl_context()


class PooledClient:
    def __init__(self, per_pool: int = PER_POOL, **client_options: Any):
        self.per_pool = per_pool
        self.options = client_options
        self.clients: list[httpx.AsyncClient] = []
        self.busy: list[int] = []

    def _pick(self) -> int:
        if self.clients:
            index = min(range(len(self.busy)), key=self.busy.__getitem__)
            if self.busy[index] < self.per_pool:
                return index
        limits = httpx.Limits(
            max_connections=None, max_keepalive_connections=self.per_pool
        )
        options = {"verify": _ssl_context(), **self.options}
        self.clients.append(httpx.AsyncClient(limits=limits, **options))
        self.busy.append(0)
        return len(self.clients) - 1

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        index = self._pick()
        self.busy[index] += 1
        try:
            return await self.clients[index].post(url, **kwargs)
        finally:
            self.busy[index] -= 1

    async def aclose(self) -> None:
        for client in self.clients:
            await client.aclose()

    async def __aenter__(self) -> PooledClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
