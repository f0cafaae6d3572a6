"""A pipeline run: its stages in order, each rendered with the item and the
earlier stages' results, called through ``StageCalls``; the first failure
fails the run with the stage named and calls no later stage. The last
stage's answer is the run's output (what every reader of runs sees); each
stage is recorded in ``Run.trace``."""

from __future__ import annotations

from adapters.base import AdapterError
from experiments.engine import cache
from experiments.engine.scoring import RunScorer, UsageJudge
from experiments.engine.stage_calls import StageCall, StageCalls
from experiments.engine.steering import Stopped
from experiments.engine.store.context import SweepContext
from experiments.engine.store.records import JudgeUsage, RunResult
from experiments.engine.work import Outbox, Prepared
from experiments.models import Run
from experiments.spec import templates
from experiments.spec.stages import stage_refs, stages_of
from scoring.strict_json import loads_output


class StageFailed(Exception):
    def __init__(self, kind: str, message: str, messages: list, key: str = ""):
        super().__init__(message)
        self.kind, self.message, self.messages, self.key = kind, message, messages, key


class PipelineRuns:
    def __init__(
        self,
        ctx: SweepContext,
        calls: StageCalls,
        final: RunScorer,
        judge: UsageJudge | None,
        outbox: Outbox,
    ):
        self.ctx = ctx
        self.calls = calls
        self.final = final
        self.outbox = outbox
        self.stage_scorers = {
            stage["name"]: RunScorer(stage["scorers"], judge)
            for stage in stages_of(ctx.spec)
            if stage["scorers"]
        }
        self.json_needs: dict[str, set[str]] = {}  # prompt -> stages read as JSON

    async def execute(
        self, run_id: int, config: dict, item_id: int, sample: int
    ) -> None:
        item = self.ctx.items[item_id]
        variables = templates.item_context(*item)
        results: dict[str, dict] = {}
        variables["stages"] = results
        # The run's totals over its stages (the sweep's are counted by
        # StageCalls, once per call) and the requests its own calls sent.
        usage, attempts = JudgeUsage(), 0
        hits: list[int] = []
        trace: list[dict] = []
        outputs: list[tuple[str, RunResult]] = []
        try:
            last = len(config["stages"]) - 1
            for n, choice in enumerate(config["stages"]):
                name = choice["name"]
                p = self.prepare(run_id, choice, item, sample, variables, trace)
                try:
                    call, mine = await self.calls.get(p, keep=n < last)
                except AdapterError as exc:
                    attempts += exc.attempts
                    trace[-1]["error"] = exc.message
                    raise StageFailed(
                        exc.kind, exc.message, p.messages, p.key
                    ) from None
                text = call.completion.text
                attempts += call.attempts if mine else 0
                if not mine and call.cached_id is None:  # the sweep's own call
                    hits_by_key, at = self.outbox.key_hits, (self.ctx.scope, p.key)
                    hits_by_key[at] = hits_by_key.get(at, 0) + 1
                usage.add(call.completion, call.cost, calls=0, sent=False)
                hits += [call.cached_id] if call.cached_id is not None else []
                trace[-1].update(_traced(call))
                entry: dict = {"output": text}
                try:
                    entry["json"] = loads_output(text)
                except ValueError as exc:
                    entry["json_error"] = str(exc)
                results[name] = entry
                outputs.append((name, self.stage_result(run_id, p, call, entry)))
        except Stopped:
            return  # left pending for whoever runs the sweep next
        except StageFailed as exc:
            self.outbox.results.append(
                RunResult(
                    run_id=run_id,
                    status=Run.Status.FAILED,
                    messages=exc.messages,
                    cache_key=exc.key,
                    error_kind=exc.kind,
                    error_message=f'stage "{trace[-1]["stage"]}": {exc.message}'[:2000],
                    attempts=attempts,
                    trace=trace,
                    upstream=usage,
                    upstream_hits=hits,
                )
            )
            return
        result = outputs[-1][1]
        result.trace, result.upstream, result.upstream_hits = trace, usage, hits
        result.latency_ms = sum(t["latency_ms"] or 0.0 for t in trace)
        result.attempts = attempts
        await self.score(result, item, outputs, usage)
        self.outbox.results.append(result)  # only now: the awaits may see a flush

    def prepare(
        self,
        run_id: int,
        choice: dict,
        item: tuple,
        sample: int,
        variables: dict,
        trace: list[dict],
    ) -> Prepared:
        """The stage's request, or ``StageFailed`` (an earlier output read as
        JSON that is not JSON, a template that cannot render)."""
        trace.append({"stage": choice["name"], "messages": None, "error": ""})
        for stage in sorted(self.reads_json(choice["prompt"])):
            reason = variables["stages"][stage].get("json_error")
            if reason is not None:
                message = (
                    f'stages.{stage}.json: the output of stage "{stage}" is not '
                    f"JSON ({reason})"
                )
                trace[-1]["error"] = message
                raise StageFailed("invalid_json", message, [])
        try:
            messages = templates.render_messages(
                self.ctx.prompts[choice["prompt"]], variables
            )
        except templates.RENDER_ERRORS as exc:
            message = f"cannot render the prompt: {templates.render_error(exc)}"
            trace[-1]["error"] = message
            raise StageFailed("template", message, []) from None
        endpoint = self.ctx.endpoints[choice["endpoint"]]
        adapter = self.calls.adapters[choice["endpoint"]]
        body = adapter.request_body(messages, choice["model"], choice["params"])
        key = cache.cache_key(endpoint.kind, endpoint.base_url, body, sample)
        trace[-1].update(messages=messages, cache_key=key)
        return Prepared(run_id, choice, item, sample, messages, body, key)

    def reads_json(self, prompt: str) -> set[str]:
        needs = self.json_needs.get(prompt)
        if needs is None:
            needs = set()
            for message in self.ctx.prompts[prompt]:
                parsed = templates.parse_template(message["content"])
                needs |= {s for s, f in stage_refs(parsed)[0] if f == "json"}
            self.json_needs[prompt] = needs
        return needs

    def stage_result(
        self, run_id: int, p: Prepared, call: StageCall, entry: dict
    ) -> RunResult:
        completion = call.completion
        return RunResult(
            run_id=run_id,
            status=Run.Status.DONE,
            messages=p.messages,
            output_text=completion.text,
            output_json=entry.get("json"),
            raw_response=completion.raw,
            served_model=completion.served_model,
            cache_key=p.key,
            cache_hit=call.cached_id is not None,
            cost=call.cost,
            latency_ms=completion.latency_ms,
        )

    async def score(
        self,
        result: RunResult,
        item: tuple,
        outputs: list[tuple[str, RunResult]],
        usage: JudgeUsage,
    ) -> None:
        """Final scorers on the last stage's output, each stage's own on its
        output; the composite is the weighted mean of them all (a stage
        scorer without a weight has weight 0)."""
        # Scorers see the run's totals (what it would cost in production);
        # the stored fields stay the last stage's share-free None, because
        # the writer adds ``upstream`` (every stage) to them.
        result.cost = usage.cost
        await self.final.score(result, item)
        for name, stage in outputs:
            scorer = self.stage_scorers.get(name)
            if scorer is not None:
                await scorer.score(stage, item)
                if stage is result:  # the last stage's scored into the run itself
                    continue
                result.scores += stage.scores
                if stage.judge is not None:
                    result.judge = result.judge or JudgeUsage()
                    result.judge.merge(stage.judge)
        weights = sum(row.weight for row in result.scores)
        total = sum(row.weight * row.value for row in result.scores)
        result.score = total / weights if weights else None
        result.cost = None


def _traced(call: StageCall) -> dict:
    completion = call.completion
    return {
        "output": completion.text,
        "prompt_tokens": completion.prompt_tokens,
        "completion_tokens": completion.completion_tokens,
        "latency_ms": completion.latency_ms,
        "cost": call.cost,
        "cache_hit": call.cached_id is not None,
    }
