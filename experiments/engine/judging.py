"""The llm_judge's calls: through the same adapters, limits and cache as the
runs, their lookups batched, their fresh responses stored with the batch."""

from __future__ import annotations

from adapters.base import AdapterError, BaseAdapter
from experiments.engine import cache
from experiments.engine.calls import Caller
from experiments.engine.lookups import LookupBatcher
from experiments.engine.results import cache_entry, cached_completion, cost_of
from experiments.engine.store.context import SweepContext
from experiments.engine.store.records import JudgeUsage
from experiments.engine.work import Outbox, Prepared


class Judge:
    def __init__(
        self,
        ctx: SweepContext,
        adapters: dict[str, BaseAdapter],
        caller: Caller,
        lookups: LookupBatcher,
        outbox: Outbox,
    ):
        self.ctx = ctx
        self.adapters = adapters
        self.caller = caller
        self.lookups = lookups
        self.outbox = outbox

    async def __call__(
        self,
        endpoint: str,
        model: str,
        messages: list,
        params: dict,
        usage: JudgeUsage | None = None,
    ) -> str:
        """The judge's reply. ``usage`` (one per scored run and scorer) adds
        up what the calls used."""
        usage = usage if usage is not None else JudgeUsage()
        if endpoint not in self.adapters:
            raise AdapterError(
                f'judge endpoint "{endpoint}" is not stored', retryable=False
            )
        config = self.ctx.endpoints[endpoint]
        adapter = self.adapters[endpoint]
        body = adapter.request_body(messages, model, params)
        key = cache.cache_key(config.kind, config.base_url, body, 0)
        if not self.ctx.no_cache:
            hit = await self.lookups.get(key)
            if hit is not None:
                completion = cached_completion(adapter, hit)
                usage.add(completion, hit.cost, calls=0, sent=False)
                return completion.text
        config_dict = {"endpoint": endpoint, "model": model, "params": params}
        p = Prepared(0, config_dict, (), 0, messages, body, key)
        try:
            completion, attempts, called = await self.caller.complete_shared(p)
        except AdapterError as exc:
            usage.calls += exc.attempts  # failed requests were sent all the same
            raise
        cost = cost_of(self.ctx, config_dict, completion)
        usage.add(completion, cost, calls=attempts, sent=called)
        if called:
            self.outbox.judge_entries.append(
                cache_entry(self.ctx, config_dict, body, key, completion, cost)
            )
        return completion.text
