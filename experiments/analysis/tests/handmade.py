"""Small sweeps written by hand: each run's config, item, sample, status and
scores are given, so a test can work its answers out on paper."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from experiments.models import Run, Score, Sweep
from experiments.services import create_experiment
from experiments.services.sweeps import create_sweep
from experiments.tests.factories import spec_doc


def config(prompt: str = "p", model: str = "m1", stages=None, **params) -> dict:
    """A run's config as the planner stores it; ``stages`` a pipeline's
    [(name, prompt, model, params)], the last one the config's own."""
    if stages:
        choices = [
            {"name": n, "prompt": p, "endpoint": "local", "model": m, "params": ps}
            for n, p, m, ps in stages
        ]
        last = choices[-1]
        return {**{k: last[k] for k in ("prompt", "endpoint", "model", "params")},
                "stages": choices}  # fmt: skip
    return {"prompt": prompt, "endpoint": "local", "model": model, "params": params}


def hash_of(conf: dict) -> str:
    return hashlib.sha256(repr(sorted(conf.items())).encode()).hexdigest()


@dataclass
class HandMade:
    sweep: Sweep
    items: list[int]
    runs: list[Run] = field(default_factory=list)

    def add(
        self,
        conf: dict,
        scores: list[float | None],
        *,
        items: list[int] | None = None,
        sample: int = 0,
        status: str = "done",
        scorers: dict[str, list[float]] | None = None,
        weights: dict[str, float] | None = None,
        **fields,
    ) -> list[Run]:
        """One run of ``conf`` per score, on items 0, 1, ... (or ``items``),
        all at sample ``sample``; ``scorers`` name per-scorer values, one per
        run; other ``fields`` (cost, latency_ms, ...) are lists or values."""
        positions = items if items is not None else list(range(len(scores)))
        made = []
        for i, (position, score) in enumerate(zip(positions, scores, strict=True)):
            values = {k: v[i] if isinstance(v, list) else v for k, v in fields.items()}
            made.append(
                Run(
                    sweep=self.sweep,
                    config_hash=hash_of(conf),
                    config=conf,
                    item_id=self.items[position],
                    sample_index=sample,
                    status=status,
                    score=score,
                    **values,
                )
            )
        made = Run.objects.bulk_create(made)

        def weight(name: str) -> float:
            return (weights or {}).get(name, 1.0)

        Score.objects.bulk_create(
            Score(run=run, scorer=name, value=values[i], weight=weight(name))
            for name, values in (scorers or {}).items()
            for i, run in enumerate(made)
        )
        self.runs += made
        return made


def pipeline_spec(stage_scorers: list[dict]) -> dict:
    """``spec_doc`` as two stages, extract (2 prompts, its own
    ``stage_scorers``) and tidy (1 prompt), keeping the final scorers."""
    spec = spec_doc()
    prompts = spec.pop("prompts")
    spec.pop("params")
    models = spec.pop("models")
    spec["stages"] = [
        {"name": "extract", "prompts": prompts, "models": models,
         "scorers": stage_scorers},
        {"name": "tidy", "models": models[:1],
         "prompts": [{"name": "tidy", "template": "{{ stages.extract.output }}"}]},
    ]  # fmt: skip
    return spec


def hand_made(n_items: int = 4, spec: dict | None = None) -> HandMade:
    """An empty sweep of ``spec`` (default ``spec_doc()``, with its scorers
    ``json_valid`` and ``json_f1:people``) with ``n_items`` items."""
    items = [{"input": {"passage": f"Item {i}."}} for i in range(n_items)]
    spec = {**(spec or spec_doc()), "dataset": {"items": items}}
    experiment, _ = create_experiment(spec)
    sweep = create_sweep(experiment)
    ids = list(experiment.dataset.items.order_by("id").values_list("id", flat=True))
    return HandMade(sweep=sweep, items=ids)
