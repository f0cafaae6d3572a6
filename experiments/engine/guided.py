"""Guided search: Optuna asks for configs, successive halving decides how
many items each sees (``strategy: {type: guided, budget, seed, objectives,
halving}``).

Brackets follow one another while the budget lasts. A bracket asks the study
for as many new configs as its schedule can afford (``spec.halving``), shows
them the first few items, promotes the best to more items, and so on to the
full set; then it tells the study what each config scored on the most items
it saw. Rungs run through the runner's normal path (cache, limits, steering,
progress): a rung's rows are inserted, its pending runs produced and waited
for, and the next decision read back from the stored runs.

Budget counts runs that needed a call: cache hits are free, so a bracket
served from the cache leaves the budget for another. The search keeps no
state of its own: it is a function of the seed and the stored runs, so a
runner that takes over after a crash replays it (asks come back the same,
stored rungs are read, not run again) and carries on where it stopped.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from experiments.config_labels import config_label
from experiments.engine.asker import Asked, Asker, Space
from experiments.engine.events import GuidedRung, RungConfig, publish
from experiments.engine.halving import item_order, pooled, promote, ranked
from experiments.engine.store.rungs import (
    Outcome,
    insert_rung,
    known_configs,
    published_rungs,
    rung_outcomes,
)
from experiments.spec.halving import Bracket, bracket, halving_of, rung_items

if TYPE_CHECKING:
    from experiments.engine.runner import SweepRunner


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
        self.asker = Asker(self.space, strategy.get("seed", 0), self.objectives)
        n_items = len(ctx.items)
        min_items, self.eta = halving_of(strategy, n_items, self.space.size)
        self.items = rung_items(n_items, min_items, self.eta)
        self.order = item_order(ctx.items, strategy.get("seed", 0))
        self.found = Found()
        # Every config's score so far (space index -> mean, runs): the
        # evidence promotions pool (``halving.pooled``).
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
        """Run the bracket's rungs; False if the sweep stopped meanwhile."""
        alive = asked
        reached: dict[int, Outcome] = {}  # by ask position: its last rung's
        position = {id(a): i for i, a in enumerate(asked)}
        for rung, items in enumerate(plan.items):
            last = rung == len(plan.items) - 1
            outcomes = await self.run_rung(
                alive, items, plan.runs(self.samples, rung + 1)
            )
            if outcomes is None:
                return False
            values = [outcomes[a.config.hash].values(self.objectives) for a in alive]
            for a in alive:
                reached[position[id(a)]] = outcome = outcomes[a.config.hash]
                self.observed[a.index] = (outcome.values(["score"])[0], outcome.done)
            keep = len(alive) if last else plan.configs[rung + 1]
            ranking = values if last else self.estimates(alive, values)
            kept, dropped = promote(ranking, keep)
            if last:
                self.found.full += [(alive[i], values[i]) for i in kept]
            spent = self.found.spent + sum(o.calls for o in reached.values())
            where = (number, rung, last, items, spent)
            await self.publish(where, alive, values, ranking, kept, dropped)
            alive = [alive[i] for i in kept]
        self.found.spent += sum(o.calls for o in reached.values())
        for i, a in enumerate(asked):  # in ask order: a replay tells the same
            self.asker.tell(a, reached[i].values(self.objectives))
        return True

    def estimates(
        self, alive: list[Asked], values: list[tuple[float, ...]]
    ) -> list[tuple[float, ...]]:
        """The values promotions rank by: the score pooled with what the
        configs sharing each axis value scored (``halving.pooled``); the
        bracket's last rung ranks by the plain means, every config there
        having seen every item."""
        if "score" not in self.objectives:
            return values
        at = self.objectives.index("score")
        indices = list(self.observed)
        axes = [name for name, _ in self.space.axes]
        levels = [[self.space.params(i)[name] for name in axes] for i in indices]
        means = [self.observed[i][0] for i in indices]
        runs = [self.observed[i][1] for i in indices]
        by_index = dict(zip(indices, pooled(levels, means, runs), strict=True))
        return [
            (*v[:at], round(by_index[a.index], 9), *v[at + 1 :])
            for a, v in zip(alive, values, strict=True)
        ]

    async def run_rung(
        self, configs: list[Asked], items: int, later: int
    ) -> dict[str, Outcome] | None:
        """Insert the rung's rows, run what is pending, read the outcomes back
        (None if the sweep stopped before every run finished)."""
        runner, db = self.runner, self.runner.producer.db
        await runner.steering.resumed.wait()  # paused between rungs: wait here
        if self.stopping:
            return None
        item_ids = self.order[:items]
        await db(insert_rung)(self.ctx, [a.config for a in configs], item_ids, later)
        producer = runner.producer
        await producer.produce()
        while producer.tasks:
            await asyncio.wait(set(producer.tasks))
        await runner.flush()
        hashes = [a.config.hash for a in configs]
        outcomes = await db(rung_outcomes)(self.ctx.sweep_id, hashes, item_ids)
        if self.stopping or any(o.unfinished for o in outcomes.values()):
            return None
        return outcomes

    async def publish(
        self,
        where: tuple[int, int, bool, int, int],
        alive: list[Asked],
        values: list[tuple[float, ...]],
        ranking: list[tuple[float, ...]],
        kept: list[int],
        dropped: list[int],
    ) -> None:
        def named(
            a: Asked, v: tuple[float, ...], r: tuple[float, ...] | None = None
        ) -> RungConfig:
            return RungConfig(
                id=a.config.hash,
                label=config_label(a.config.as_dict()),
                values=dict(zip(self.objectives, v, strict=True)),
                ranked_by=dict(zip(self.objectives, r or v, strict=True)),
            )

        number, rung, last, items, spent = where
        if (number, rung) in self.published:  # a replay: announced before
            return
        best = self.found.best()
        payload = GuidedRung(
            bracket=number,
            rung=rung,
            last=last,
            items=items,
            promoted=[named(alive[i], values[i], ranking[i]) for i in kept],
            dropped=[named(alive[i], values[i], ranking[i]) for i in dropped],
            best=named(*best) if best else None,
            spent=spent,
            budget=self.budget,
        )
        await self.runner.producer.db(publish)(
            self.ctx.sweep_id, "guided.rung", payload
        )
