"""The ``guided`` scenario of run_bench.py: guided search against the full
grid and random search, in a simulator world whose best config is known.

The world (``simulator/world.py``): 5 models (``world-m0`` to ``world-m4``)
x 6 prompt variants x 4 temperatures = 120 configs over 40 sums ("What is
17 + 25?", scored by exact_match). Each config answers right with a known
latent quality; the best config is not the best model, prompt and
temperature of each axis put together. The spec sends the bench seed as the
request's ``seed``, so each seed draws other noise.

Per seed, three sweeps of the same experiment, each with ``no_cache`` (each
makes its own calls; the world is deterministic, so the same request gets
the same answer in every sweep of a seed):

- grid: every run (4,800);
- guided: ``strategy: {type: guided, budget: 15% of the grid's runs, seed}``;
- random: ``strategy: {type: random}`` at the same budget and seed.

A sweep's pick is the top of its leaderboard (the best mean score); for
guided, the best config its last ``guided.rung`` event names (the best seen
on every item), else the leaderboard's top among the configs scored on the
most items (a config dropped after a few lucky items is not its pick).
Random search samples runs, not configs (about 6 items each at this
budget), so its leaderboard's top is often a lucky few. Regret is the
best quality minus the pick's. Calls are the sweeps' own (``Sweep.calls``),
checked against the simulator's count. While guided search is not available
(the spec validator refuses it), it is reported so and the rest still runs.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ITEMS = 40
BUDGET_SHARE = 0.15  # of the grid's runs: the call target
REGRET_MARGIN = 0.01  # guided's mean regret may exceed the grid's by this
PROJECT = "bench-guided"


def spec(name: str, sim_url: str, seed: int) -> dict:
    from simulator import world

    draw = random.Random(2026)  # the same sums for every seed
    sums = [(draw.randint(10, 999), draw.randint(10, 999)) for _ in range(ITEMS)]
    return {
        "name": name,
        "project": PROJECT,
        "endpoints": [{"name": "sim", "base_url": f"{sim_url}/v1",
                       "max_concurrency": 64}],
        "dataset": {"items": [{"input": {"question": f"What is {a} + {b}?"},
                               "expected": str(a + b)} for a, b in sums]},
        "prompts": [{"name": f"v{v}", "template":
                     f"Prompt variant {v}. Reply with the number only.\n"
                     "{{ question }}"} for v in world.VARIANTS],
        "models": [{"endpoint": "sim", "model": m} for m in world.MODELS],
        "params": {"temperature": list(world.TEMPERATURES), "seed": seed},
        "scorers": [{"type": "exact_match"}],
        "concurrency": 32,
    }  # fmt: skip


def measure(env: dict, sim_url: str, seeds: int) -> dict:
    """Run the sweeps in a child process (settings come from ``env``)."""
    result = Path(env["PROMPTLOOPER_DATA_DIR"]) / "guided.json"
    command = [sys.executable, __file__, sim_url, str(seeds), str(result)]
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    return json.loads(result.read_text())


# --- report -----------------------------------------------------------------------


def _mean(sweeps: list[dict], key: str) -> float:
    return statistics.fmean(s[key] for s in sweeps)


def _bests(sweeps: list[dict]) -> str:
    return f"{sum(s['regret'] == 0 for s in sweeps)} / {len(sweeps)}"


def _paired(guided: list[dict], grid: list[dict]) -> str:
    """Guided's regret minus the grid's, seed by seed: mean +/- its standard
    error (the seeds share the world's noise, so the pairs are close)."""
    diffs = [a["regret"] - b["regret"] for a, b in zip(guided, grid, strict=False)]
    if len(diffs) < 2:
        return f"{diffs[0]:+.4f}" if diffs else ""
    error = statistics.stdev(diffs) / len(diffs) ** 0.5
    return f"{statistics.fmean(diffs):+.4f} +/- {error:.4f}"


def rows(r: dict) -> list[tuple]:
    """(scenario, metric, value, target, passed or None), as run_bench's."""
    grid, randoms, guided = r["grid"], r["random"], r["guided"]
    grid_calls = _mean(grid, "calls")
    grid_regret = _mean(grid, "regret")
    best = r["best"]
    name = f"guided ({r['configs']} x {ITEMS}, {len(grid)} seeds)"
    out = [
        (name, "best quality (config)",
         f"{r['q_best']:.3f} ({best[0]} v{best[1]} t{best[2]:g})", "", None),
        ("", "per-axis best's quality", f"{r['q_per_axis']:.3f}", "", None),
        ("", "budget (guided, random)", r["budget"], "", None),
        ("", "grid calls per sweep", round(grid_calls), f"= {r['grid_runs']}",
         all(s["calls"] == r["grid_runs"] for s in grid)),
        ("", "grid mean regret", f"{grid_regret:.4f}", "", None),
        ("", "grid picked the best", _bests(grid), "", None),
    ]  # fmt: skip
    if isinstance(guided, str) or not guided:
        out.append(("", "guided", guided or "not run", "", None))
    else:
        share = _mean(guided, "calls") / grid_calls
        regret = _mean(guided, "regret")
        target = grid_regret + REGRET_MARGIN
        out += [
            ("", "guided calls / grid calls", f"{share:.3f}",
             f"<= {BUDGET_SHARE}", share <= BUDGET_SHARE),
            ("", "guided mean regret", f"{regret:.4f}", f"<= {target:.4f}",
             regret <= target),
            ("", "guided - grid regret (paired)", _paired(guided, grid), "", None),
            ("", "guided picked the best", _bests(guided), "", None),
            ("", "guided: best shown every item, mean regret",
             f"{_mean(guided, 'finalists_regret'):.4f}", "", None),
        ]  # fmt: skip
    out += [
        ("", "random calls / grid calls",
         f"{_mean(randoms, 'calls') / grid_calls:.3f}", "", None),
        ("", "random mean regret", f"{_mean(randoms, 'regret'):.4f}", "", None),
        ("", "random picked the best", _bests(randoms), "", None),
        ("", "random pick's items (median)",
         statistics.median(s["pick_n"] for s in randoms), "", None),
        ("", "sweep calls = simulator's", r["calls_match"], "= yes",
         r["calls_match"] == "yes"),
        ("", "failed runs", r["errors"], "= 0", r["errors"] == 0),
        ("", "wall s (all sweeps)", r["wall_s"], "", None),
    ]  # fmt: skip
    return out


# --- child: inside Django -----------------------------------------------------


def pick(sweep, guided: bool) -> tuple[dict, str]:
    """The leaderboard row of the sweep's pick (see the module's doc), and
    where it comes from."""
    from experiments.services.analysis import leaderboard

    rows = leaderboard(sweep)
    if not guided:
        return rows[0], "leaderboard"
    event = sweep.events.filter(type="guided.rung").order_by("-seq").first()
    named = ((event.payload.get("best") or {}).get("id") if event else None) or ""
    chosen = [row for row in rows if row["config_hash"] == named]
    if chosen:
        return chosen[0], "guided.rung event"
    most = max(row["n"] for row in rows)
    return next(row for row in rows if row["n"] == most), "most items"


def as_world_config(config: dict) -> tuple[str, int, float]:
    return (config["model"], int(config["prompt"][1:]),
            float(config["params"]["temperature"]))  # fmt: skip


def finalists_regret(sweep) -> float | None:
    """How far the best of the configs guided search showed every item
    falls short of the best config: what its last choice, among those by
    their means, started from."""
    from simulator import world

    shown = {
        config["id"]
        for payload in sweep.events.filter(type="guided.rung").values_list(
            "payload", flat=True
        )
        if payload["last"]
        for config in payload["promoted"]
    }
    configs = sweep.runs.filter(config_hash__in=shown).values_list("config", flat=True)
    qualities = [world.quality(*as_world_config(c)) for c in configs]
    return world.best()[1] - max(qualities) if qualities else None


def run_one(experiment, sim_url: str, strategy: dict | None) -> dict:
    import httpx

    from experiments.services.sweeps import create_sweep, run_sweep
    from simulator import world

    before = httpx.get(f"{sim_url}/stats").json()["requests"]
    sweep = create_sweep(experiment, no_cache=True, strategy=strategy)
    started = time.perf_counter()
    sweep = run_sweep(sweep)
    wall = time.perf_counter() - started
    counted = httpx.get(f"{sim_url}/stats").json()["requests"] - before
    kind = (strategy or {}).get("type", "grid")
    # A guided sweep may stop short of its budget.
    unfinished = kind != "guided" and sweep.done != sweep.planned
    if sweep.status != "completed" or unfinished:
        state = f"{sweep.status} {sweep.done}/{sweep.planned} {sweep.error_message}"
        raise RuntimeError(f"{kind} sweep {sweep.pk} did not complete: {state}")
    top, source = pick(sweep, guided=kind == "guided")
    chosen = as_world_config(top["config"])
    q_best = world.best()[1]
    sys.stderr.write(
        f"  {kind} sweep {sweep.pk}: {sweep.calls} calls in {wall:.1f} s, picked "
        f"{chosen} (n={top['n']}, mean {top['score']}, {source}), regret "
        f"{q_best - world.quality(*chosen):.4f}\n"
    )
    return {
        "sweep": sweep.pk, "planned": sweep.planned, "done": sweep.done,
        "calls": sweep.calls, "counted": counted, "errors": sweep.errors,
        "wall": round(wall, 2), "pick": chosen, "pick_n": top["n"],
        "pick_mean": top["score"], "pick_source": source,
        "regret": q_best - world.quality(*chosen),
        "finalists_regret": finalists_regret(sweep) if kind == "guided" else None,
    }  # fmt: skip


def guided_available(experiment, strategy: dict) -> str | None:
    """None if the strategy validates, else why not."""
    from experiments.services.sweeps import check_strategy
    from experiments.spec import SpecInvalid

    try:
        check_strategy(experiment, strategy)
    except SpecInvalid as exc:
        return str(exc)
    return None


def child(sim_url: str, seeds: int, result: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "promptlooper_site.settings")
    import django

    django.setup()
    import httpx
    from django.db import connection

    from experiments.services.experiments import create_experiment
    from simulator import world

    httpx.post(f"{sim_url}/config", json={"latency_ms": 0, "jitter_ms": 0})
    configs = len(world.space())
    grid_runs = configs * ITEMS
    budget = round(BUDGET_SHARE * grid_runs)
    out: dict = {"grid": [], "random": [], "guided": []}
    started = time.perf_counter()
    for seed in range(seeds):
        sys.stderr.write(f"  guided: seed {seed}\n")
        experiment, _ = create_experiment(spec(f"world-{seed}", sim_url, seed))
        out["grid"].append(run_one(experiment, sim_url, None))
        guided = {"type": "guided", "budget": budget, "seed": seed}
        refused = guided_available(experiment, guided)
        if refused:
            out["guided"] = f"not available ({refused})"
        elif isinstance(out["guided"], list):
            try:
                out["guided"].append(run_one(experiment, sim_url, guided))
            except Exception as exc:  # report it; grid and random still run
                out["guided"] = f"failed ({exc})"
        random_ = {"type": "random", "budget": budget, "seed": seed}
        out["random"].append(run_one(experiment, sim_url, random_))
    sweeps = [s for kind in out.values() if isinstance(kind, list) for s in kind]
    best, q_best = world.best()
    Path(result).write_text(json.dumps({
        **out, "mode": connection.vendor, "configs": configs,
        "grid_runs": grid_runs, "budget": budget, "best": best, "q_best": q_best,
        "q_per_axis": world.quality(*world.marginal_best()),
        "calls_match": "yes" if all(s["calls"] == s["counted"] for s in sweeps)
        else "no",
        "errors": sum(s["errors"] for s in sweeps),
        "wall_s": round(time.perf_counter() - started, 1),
    }))  # fmt: skip


if __name__ == "__main__":
    child(sys.argv[1], int(sys.argv[2]), sys.argv[3])
