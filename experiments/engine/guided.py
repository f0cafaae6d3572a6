"""Guided search: Optuna asks for configs, and each config is shown a few
items first, more if it looks promising, and the full set if it is among the
best (``strategy: {type: guided, budget, seed, objectives, halving}``).

Brackets follow one another while the budget lasts. A bracket asks the study
for as many new configs as its schedule can afford (``spec.halving``: how
many configs start, how many finish on every item, how many runs it may
spend), shows them the first few items, gives out more items and finally the
full set, then tells the study what each config scored on the most items it
saw. Who gets more items: for the score alone, top-two Thompson sampling on
a model pooling every config's scores (``engine.thompson``), a step of
``STEP_RUNS`` runs at a time; for a Pareto front or cost, successive halving
by non-dominated rank (``engine.halving``). Steps run through the runner's
normal path (cache, limits, steering, progress): a step's rows are inserted,
its pending runs produced and waited for, and the next decision read back
from the stored runs.

Budget counts runs that needed a call: cache hits are free, so a bracket
served from the cache leaves the budget for another. The search keeps no
state of its own: it is a function of the seed and the stored runs, so a
runner that takes over after a crash replays it (asks come back the same,
stored rungs are read, not run again) and carries on where it stopped.
"""

from __future__ import annotations

import asyncio
import itertools
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from experiments.config_labels import config_label
from experiments.engine.asker import Asked, Asker, Space
from experiments.engine.events import GuidedRung, RungConfig, publish
from experiments.engine.halving import item_order, pooled, ranked
from experiments.engine.planner import Config
from experiments.engine.store.rungs import (
    Outcome,
    insert_step,
    known_configs,
    published_rungs,
    step_outcomes,
)
from experiments.engine.thompson import Posterior
from experiments.spec.halving import (
    Bracket,
    bracket,
    halving_of,
    rung_items,
    sampled,
)

if TYPE_CHECKING:
    from experiments.engine.runner import SweepRunner


STEP_RUNS = 24  # runs a Thompson step gives out before the posterior is updated


def is_guided(spec: dict) -> bool:
    return spec["strategy"].get("type") == "guided"


@dataclass
class Found:
    """What the search has so far: budget spent, the best config on every
    item (by the objectives' ranking) with its values."""

    spent: int = 0
    full: list[tuple[Asked, tuple[float, ...]]] = field(default_factory=list)

    def best(self) -> tuple[Asked, tuple[float, ...]] | None:
        """Ties go to the config asked first, as on the leaderboard (whose
        ties go to the config whose runs were stored first)."""
        if not self.full:
            return None
        full = sorted(self.full, key=lambda found: found[0].number)
        return full[ranked([v for _, v in full])[0]]


class GuidedSearch:
    def __init__(self, runner: SweepRunner):
        self.runner = runner
        self.ctx = ctx = runner.ctx
        strategy = ctx.spec["strategy"]
        self.budget: int = strategy["budget"]
        self.objectives: list[str] = strategy.get("objectives") or ["score"]
        self.samples: int = ctx.spec["samples"]
        self.space = Space(ctx.spec)
        self.seed: int = strategy.get("seed", 0)
        self.asker = Asker(self.space, self.seed, self.objectives)
        n_items = len(ctx.items)
        min_items, self.eta = halving_of(strategy, n_items, self.space.size)
        self.items = rung_items(n_items, min_items, self.eta)
        self.order = item_order(ctx.items, self.seed)
        self.found = Found()
        # Every config's score so far (space index -> mean, runs): the
        # evidence promotions pool (``thompson``, ``halving.pooled``).
        self.observed: dict[int, tuple[float, int]] = {}
        self.published: set[tuple[int, int]] = set()
        self.ended = False  # the search is over (not merely stopped)

    @property
    def stopping(self) -> bool:
        return self.runner.steering.stopping

    async def run(self) -> None:
        """Brackets until the budget, the space or the sweep runs out."""
        self.runner.producer.fully_planned = True  # rows come a rung at a time
        db = self.runner.producer.db
        self.published = await db(published_rungs)(self.ctx.sweep_id)
        if not self.ctx.no_cache:  # what earlier sweeps ran is asked first
            known = await db(known_configs)(self.ctx.sweep_id)
            indices = [self.space.index_of(config) for config in known]
            self.asker.prefer([i for i in indices if i is not None])
        for number in itertools.count():
            plan = bracket(
                self.items,
                self.eta,
                self.samples,
                self.budget - self.found.spent,
                self.asker.untried,
            )
            if self.stopping:
                return
            if plan is None:
                self.ended = True
                return
            asked = await asyncio.to_thread(self.asker.ask, plan.configs[0])
            if not asked:
                self.ended = True
                return
            if not await self.run_bracket(number, plan, asked):
                return

    async def run_bracket(self, number: int, plan: Bracket, asked: list[Asked]) -> bool:
        """Run one bracket; False if the sweep stopped meanwhile."""
        if sampled(self.ctx.spec["strategy"]):
            reached = await self.run_sampled(number, plan, asked)
        else:
            reached = await self.run_halving(number, plan, asked)
        if reached is None:
            return False
        self.found.spent += sum(o.calls for o in reached)
        for a, outcome in zip(asked, reached, strict=True):  # in ask order: a
            self.asker.tell(a, outcome.values(self.objectives))  # replay tells alike
        return True

    async def run_sampled(
        self, number: int, plan: Bracket, asked: list[Asked]
    ) -> list[Outcome] | None:
        """Every config sees the first ``plan.items[0]`` items; then, a step
        at a time, items go to the configs the posterior favours, while the
        bracket's rows stay within ``plan.runs`` with enough left to show
        its ``plan.configs[-1]`` best configs every item. Those, shown every
        item, and any config the steps had shown every item already, end
        the bracket. Returns each config's outcome on the items it saw (None:
        the sweep stopped)."""
        full, samples = plan.items[-1], self.samples
        keep = min(plan.configs[-1], len(asked))
        left = plan.runs(samples)
        seen = [0] * len(asked)
        reached = [Outcome() for _ in asked]
        more = [plan.items[0]] * len(asked)
        for step in itertools.count():
            left -= sum(more) * samples
            if not await self.run_more(asked, seen, more, reached, left):
                return None
            model, row = self.model()
            ranking: list[tuple[float, ...]] = [
                (round(float(model.means[row[a.index]]), 9),) for a in asked
            ]
            order = sorted(range(len(asked)), key=lambda i: (-ranking[i][0], i))
            need = sum(full - seen[i] for i in order[:keep]) * samples
            items = min(max(1, STEP_RUNS // samples), (left - need) // samples)
            if items <= 0:
                break
            room = {row[a.index]: full - seen[i] for i, a in enumerate(asked)}
            rng = np.random.default_rng(_seed(self.seed, number, step))
            given = model.allocate(rng, room, items)
            more = [given[row[a.index]] for a in asked]
            if not any(more):
                break
            where = (number, step, False, max(seen), self.spent_with(reached))
            promoted = [i for i in order if more[i]]
            after = [n + m for n, m in zip(seen, more, strict=True)]
            await self.publish(where, asked, reached, ranking, promoted, [], after)
        completed: list[int] = []
        for i in order:  # the best the rows left can show every item
            cost = (full - seen[i]) * samples
            if len(completed) < keep and cost <= left:
                completed.append(i)
                left -= cost
        more = [full - seen[i] if i in completed else 0 for i in range(len(asked))]
        if not await self.run_more(asked, seen, more, reached, 0):  # nothing after
            return None
        # Those, and any config the steps had already shown every item.
        finalists = [i for i in order if seen[i] == full]
        values = [o.values(self.objectives) for o in reached]
        self.found.full += [(asked[i], values[i]) for i in finalists]
        dropped = [i for i in order if i not in finalists]
        # The end takes the number of the step that found no room to give.
        where = (number, step, True, full, self.spent_with(reached))
        await self.publish(where, asked, reached, ranking, finalists, dropped, seen)
        return reached

    async def run_halving(
        self, number: int, plan: Bracket, asked: list[Asked]
    ) -> list[Outcome] | None:
        """Successive halving: each rung shows its configs ``plan.items[r]``
        items and keeps ``plan.configs[r + 1]`` of them, by non-dominated
        rank (the score pooled with the axes', ``estimates``)."""
        alive = list(range(len(asked)))
        seen = [0] * len(asked)
        reached = [Outcome() for _ in asked]
        for rung, items in enumerate(plan.items):
            last = rung == len(plan.items) - 1
            more = [items - seen[i] if i in alive else 0 for i in range(len(asked))]
            later = plan.runs(self.samples, rung + 1)
            if not await self.run_more(asked, seen, more, reached, later):
                return None
            values = [o.values(self.objectives) for o in reached]
            keep = len(alive) if last else plan.configs[rung + 1]
            ranking = values if last else self.estimates(asked, values)
            ranks = ranked([ranking[i] for i in alive])
            kept = [alive[i] for i in ranks[:keep]]
            dropped = [alive[i] for i in ranks[keep:]]
            if last:
                self.found.full += [(asked[i], values[i]) for i in kept]
            where = (number, rung, last, items, self.spent_with(reached))
            await self.publish(where, asked, reached, ranking, kept, dropped, seen)
            alive = kept
        return reached

    def spent_with(self, reached: list[Outcome]) -> int:
        return self.found.spent + sum(o.calls for o in reached)

    def evidence(self) -> tuple[list[int], list[list[int]], list[float], list[int]]:
        """Every config scored so far: space indices, axis levels, mean
        scores and runs."""
        indices = list(self.observed)
        axes = [name for name, _ in self.space.axes]
        levels = [[self.space.params(i)[name] for name in axes] for i in indices]
        means = [self.observed[i][0] for i in indices]
        runs = [self.observed[i][1] for i in indices]
        return indices, levels, means, runs

    def model(self) -> tuple[Posterior, dict[int, int]]:
        """The posterior of every config scored so far, and each one's row
        in it by space index."""
        indices, levels, means, runs = self.evidence()
        sizes = [size for _, size in self.space.axes]
        return Posterior(levels, sizes, means, runs), {
            index: row for row, index in enumerate(indices)
        }

    def estimates(
        self, asked: list[Asked], values: list[tuple[float, ...]]
    ) -> list[tuple[float, ...]]:
        """The values halving ranks by: the score pooled with what the
        configs sharing each axis value scored (``halving.pooled``); the
        bracket's last rung ranks by the plain means, every config there
        having seen every item."""
        if "score" not in self.objectives:
            return values
        at = self.objectives.index("score")
        indices, levels, means, runs = self.evidence()
        by_index = dict(zip(indices, pooled(levels, means, runs), strict=True))
        return [
            (*v[:at], round(by_index[a.index], 9), *v[at + 1 :])
            for a, v in zip(asked, values, strict=True)
        ]

    async def run_more(
        self,
        asked: list[Asked],
        seen: list[int],
        more: list[int],
        reached: list[Outcome],
        later: int,
    ) -> bool:
        """Show config ``i`` ``more[i]`` more items, then update what it has
        seen and scored; False if the sweep stopped first."""
        wanted = [(i, seen[i] + more[i]) for i in range(len(asked)) if more[i]]
        if not wanted:
            return True
        outcomes = await self.run_step([(asked[i].config, n) for i, n in wanted], later)
        if outcomes is None:
            return False
        for i, n in wanted:
            seen[i], reached[i] = n, outcomes[asked[i].config.hash]
            self.observed[asked[i].index] = (
                reached[i].values(["score"])[0],
                reached[i].done,
            )
        return True

    async def run_step(
        self, wanted: list[tuple[Config, int]], later: int
    ) -> dict[str, Outcome] | None:
        """Insert rows for each config on its first ``n`` items, run what is
        pending, read the outcomes back (None if the sweep stopped before
        every run finished). ``later``: the most rows the bracket adds after."""
        runner, db = self.runner, self.runner.producer.db
        await runner.steering.resumed.wait()  # paused between steps: wait here
        if self.stopping:
            return None
        items_of = {config.hash: self.order[:n] for config, n in wanted}
        rows = [(config, items_of[config.hash]) for config, _ in wanted]
        await db(insert_step)(self.ctx, rows, later)
        producer = runner.producer
        await producer.produce()
        while producer.tasks:
            await asyncio.wait(set(producer.tasks))
        await runner.flush()
        outcomes = await db(step_outcomes)(self.ctx.sweep_id, items_of)
        if self.stopping or any(o.unfinished for o in outcomes.values()):
            return None
        return outcomes

    async def publish(
        self,
        where: tuple[int, int, bool, int, int],
        asked: list[Asked],
        reached: list[Outcome],
        ranking: list[tuple[float, ...]],
        kept: list[int],
        dropped: list[int],
        seen: list[int],
    ) -> None:
        """Announce a decision: ``kept`` (promoted) and ``dropped`` index
        ``asked``, each best first."""
        number, rung, last, items, spent = where
        if (number, rung) in self.published:  # a replay: announced before
            return

        def named(i: int) -> RungConfig:
            values = reached[i].values(self.objectives)
            return self.named(asked[i], values, ranking[i], seen[i])

        best = self.found.best()
        payload = GuidedRung(
            bracket=number,
            rung=rung,
            last=last,
            items=items,
            promoted=[named(i) for i in kept],
            dropped=[named(i) for i in dropped],
            best=self.named(*best, best[1], self.items[-1]) if best else None,
            spent=spent,
            budget=self.budget,
        )
        await self.runner.producer.db(publish)(
            self.ctx.sweep_id, "guided.rung", payload
        )

    def named(
        self,
        a: Asked,
        values: tuple[float, ...],
        ranked_by: tuple[float, ...],
        items: int,
    ) -> RungConfig:
        return RungConfig(
            id=a.config.hash,
            label=config_label(a.config.as_dict()),
            values=dict(zip(self.objectives, values, strict=True)),
            ranked_by=dict(zip(self.objectives, ranked_by, strict=True)),
            items=items,
        )


def _seed(seed: int, bracket: int, step: int) -> int:
    """The seed of a step's draws: a replay draws the same."""
    return zlib.crc32(f"guided-thompson:{seed}:{bracket}:{step}".encode())
