"""Turning a completion (fresh or cached) or a failure into the run's result:
output JSON, cost, the cache entry to store, scores."""

from __future__ import annotations

from adapters.base import AdapterError, BaseAdapter, Completion
from experiments.engine import cache
from experiments.engine.scoring import RunScorer
from experiments.engine.store.context import SweepContext
from experiments.engine.store.records import RunResult
from experiments.engine.work import Prepared
from experiments.models import CachedResponse, Run
from experiments.pricing import price_of
from scoring.strict_json import output_json


def cost_of(ctx: SweepContext, config: dict, completion: Completion) -> float | None:
    price = ctx.endpoints[config["endpoint"]].prices.get(config["model"])
    return price_of(
        price, completion.prompt_tokens or 0, completion.completion_tokens or 0
    )


def cache_entry(
    ctx: SweepContext,
    config: dict,
    body: dict,
    key: str,
    completion: Completion,
    cost: float | None,
) -> cache.Entry:
    endpoint = ctx.endpoints[config["endpoint"]]
    return cache.Entry(
        scope=ctx.scope,
        key=key,
        project_id=ctx.project_id,
        adapter=endpoint.kind,
        endpoint_url=endpoint.base_url,
        model=config["model"],
        request=body,
        response=completion.raw,
        prompt_tokens=completion.prompt_tokens,
        completion_tokens=completion.completion_tokens,
        cost=cost,
        latency_ms=completion.latency_ms,
    )


def cached_completion(adapter: BaseAdapter, row: CachedResponse) -> Completion:
    """A cached response, read by the adapter that reads the live ones."""
    return adapter.parse_response(row.response, row.latency_ms or 0.0)


class ResultBuilder:
    def __init__(
        self, ctx: SweepContext, adapters: dict[str, BaseAdapter], scorer: RunScorer
    ):
        self.ctx = ctx
        self.adapters = adapters
        self.scorer = scorer

    def failed(self, p: Prepared, kind: str, message: str, attempts: int) -> RunResult:
        return RunResult(
            run_id=p.run_id,
            status=Run.Status.FAILED,
            messages=p.messages,
            cache_key=p.key,
            error_kind=kind,
            error_message=message[:2000],
            attempts=attempts,
            called=attempts > 0,
        )

    async def completed(
        self, p: Prepared, completion: Completion, attempts: int, called: bool
    ) -> RunResult:
        cost = cost_of(self.ctx, p.config, completion)
        result = RunResult(
            run_id=p.run_id,
            status=Run.Status.DONE,
            messages=p.messages,
            output_text=completion.text,
            output_json=output_json(completion.text),
            raw_response=completion.raw,
            served_model=completion.served_model,
            cache_key=p.key,
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
            cost=cost,
            latency_ms=completion.latency_ms,
            attempts=attempts,
            called=called,
        )
        if called:
            result.new_cache_entry = cache_entry(
                self.ctx, p.config, p.body, p.key, completion, cost
            )
        await self.scorer.score(result, p.item)
        return result

    async def from_cache(self, p: Prepared, row: CachedResponse) -> RunResult:
        try:
            completion = cached_completion(self.adapters[p.config["endpoint"]], row)
        except AdapterError as exc:  # a stored body its adapter cannot read
            return self.failed(p, exc.kind, exc.message, 0)
        result = await self.completed(p, completion, 0, False)
        result.cache_hit, result.cached_id = True, row.pk
        return result
