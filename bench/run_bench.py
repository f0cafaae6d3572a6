"""Engine benchmark: sweeps against the LLM simulator, on SQLite and PostgreSQL.

    python bench/run_bench.py [--mode sqlite|postgres|both] [--quick]

Per mode: a throwaway database (SQLite: a temp PROMPTLOOPER_DATA_DIR;
PostgreSQL: a fresh ``promptlooper_bench``), migrated; ``manage.py simulate_llm``
in its own process; and a child process (settings are read from the
environment at import) that times ``run_sweep`` in the first four scenarios;
the parent times the fifth, whole processes:

1. cold:   1,000 runs, simulator latency 100 +/- 20 ms, concurrency 32, three
           times on fresh experiments; the median counts
2. cached: the same 1,000 runs again (a new sweep): no call may be made
3. pipeline: a two-stage sweep, 3 first-stage x 3 second-stage choices over
           100 items (900 runs), at the cold scenario's latency and
           concurrency, three times on fresh experiments; the median counts.
           Each stage request is sent once: unique calls (counted at the
           simulator) must be 3N + 9N, not runs x stages; its ideal is
           computed from its unique calls (unique x 0.1 s / 32), and is at
           least one latency per stage (a second stage starts only after
           its first)
4. bulk:   20,000 fresh runs at 0 ms latency: throughput and peak RSS
5. cli:    a cached rerun of 1,000 runs as a whole process, ``manage.py
           runexperiment --json`` (interpreter, Django start, spec, sweep,
           leaderboard), CLI_REPEATS times after one run that fills the cache;
           the median counts (target < 1.0 s on SQLite), beside the sweep's
           own duration

Beside the computed ideal, the cold scenario reports a measured floor: the
same number of requests from a bare asyncio + httpx client, no engine, at the
same concurrency against the same simulator. On two cores the client and the
simulator share the CPU, so that floor already sits above the ideal.

6. live:   sweeps watched over WebSockets through a real daphne and worker
           (bench/live.py): event latency p50/p95 for one client, and 50
           clients on one sweep (each receives every event; web process CPU).
           PostgreSQL mode adds Redis (``--redis-url``), as production runs;
           ``--scenario live`` runs only this one
7. analysis: a 100,000-run sweep's analysis endpoints (leaderboard, pareto,
           marginals, heatmap), cold and from the cache (bench/analysis.py);
           PostgreSQL only under ``--scenario all`` (its target is
           PostgreSQL's); ``--analysis-build engine|bulk`` says how the sweep
           is made; ``--scenario analysis`` runs only this one
8. guided: guided search against the full grid and random search at the same
           budget, in a simulator world whose best config is known
           (bench/guided.py): calls as a share of the grid's and regret, over
           ``--seeds`` seeds (20); once per invocation, on SQLite (PostgreSQL
           under ``--mode postgres``); ``--scenario guided`` runs only this one

Calls are counted by the simulator (``GET /stats``); ``--quick`` runs 10x
fewer. A MISS exits 0 (this is a measurement); a crash or an incomplete sweep
exits non-zero.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "promptlooper_bench"
PROD_SECRETS = {  # the Makefile's PROD_ENV test-only values
    "SECRET_KEY": "test-only-secret-key-not-for-production",
    "PROMPTLOOPER_FERNET_KEYS": "ZmRlMjU3YjVkZmE4NDQ0MWE0NjdiYWYxNzQzYmJmMjA=",
}
CONCURRENCY = 32
COLD_REPEATS = 3
CLI_REPEATS = 5
LATENCY_S = 0.100
TEMPERATURES = [i / 10 for i in range(10)]  # 10 configs per value of `seed`
PIPELINE_ITEMS = 100
PIPELINE_CHOICES = 3  # per stage: 3 x 3 configs
PIPELINE_STAGES = 2


def out(text: str = "") -> None:
    print(text, flush=True)  # noqa: T201


# --- child: one mode, inside Django -------------------------------------------


def build_spec(name: str, sim_url: str, runs: int, seeds: int) -> dict:
    """configs (temperatures x seeds) x items = runs; item texts are unique to
    the experiment so a fresh experiment never hits the cache."""
    configs = len(TEMPERATURES) * seeds
    n_items, rest = divmod(runs, configs)
    assert rest == 0 and n_items > 0, (runs, configs)
    text = "Ada Lovelace met Charles Babbage of the Royal Society in London."
    items = [{"input": {"text": f"{name} {i}: {text}"}} for i in range(n_items)]
    return {
        "name": name,
        "project": "bench",
        "endpoints": [
            {"name": "sim", "base_url": f"{sim_url}/v1", "max_concurrency": 64}
        ],
        "dataset": {"items": items},
        "prompts": [{"name": "plain", "template": "{{ text }}"}],
        "models": [{"endpoint": "sim", "model": "sim-extractor"}],
        "params": {"temperature": TEMPERATURES, "seed": list(range(seeds))},
        "scorers": [{"type": "json_valid"}],
        "concurrency": CONCURRENCY,
    }


def build_pipeline_spec(name: str, sim_url: str, n_items: int) -> dict:
    """extract (3 prompts on sim-echo) -> normalise (3 prompts on
    sim-extractor over the extract output). sim-echo answers each prompt
    with a different text, so every (extract, normalise) pair is a distinct
    second-stage request: 3N + 9N unique calls, no fewer by coincidence."""
    text = "Ada Lovelace met Charles Babbage of the Royal Society in London."
    items = [{"input": {"text": f"{name} {i}: {text}"}} for i in range(n_items)]
    choices = range(PIPELINE_CHOICES)
    return {
        "name": name,
        "project": "bench",
        "endpoints": [
            {"name": "sim", "base_url": f"{sim_url}/v1", "max_concurrency": 64}
        ],
        "dataset": {"items": items},
        "stages": [
            {
                "name": "extract",
                "prompts": [
                    {"name": f"extract-{i}", "template": f"Take {i}: {{{{ text }}}}"}
                    for i in choices
                ],
                "models": [{"endpoint": "sim", "model": "sim-echo"}],
            },
            {
                "name": "normalise",
                "prompts": [
                    {
                        "name": f"normalise-{i}",
                        "template": f"Tidy {i}: {{{{ stages.extract.output }}}}",
                    }
                    for i in choices
                ],
                "models": [{"endpoint": "sim", "model": "sim-extractor"}],
            },
        ],
        "scorers": [{"type": "json_valid"}],
        "concurrency": CONCURRENCY,
    }


def median_run(results: list[dict]) -> dict:
    walls = sorted(r["wall"] for r in results)
    median = next(r for r in results if r["wall"] == walls[len(walls) // 2])
    return {**median, "walls": walls}


def timed_sweep(experiment, sim_url: str) -> dict:
    from experiments.models import Sweep
    from experiments.services.sweeps import create_sweep, run_sweep

    before = httpx.get(f"{sim_url}/stats").json()
    sweep = create_sweep(experiment)
    started = time.perf_counter()
    sweep = run_sweep(sweep)
    wall = time.perf_counter() - started
    after = httpx.get(f"{sim_url}/stats").json()
    calls = after["requests"] - before["requests"]
    by_model = {
        model: count - before["by_model"].get(model, 0)
        for model, count in after["by_model"].items()
    }
    if sweep.status != Sweep.Status.COMPLETED or sweep.done != sweep.planned:
        state = f"{sweep.status} {sweep.done}/{sweep.planned} {sweep.error_message}"
        raise SystemExit(f"sweep {sweep.pk} did not complete: {state}")
    sys.stderr.write(f"  sweep {sweep.pk}: {sweep.planned} runs in {wall:.2f} s\n")
    return dict(
        runs=sweep.planned,
        wall=wall,
        calls=calls,
        by_model={model: n for model, n in by_model.items() if n},
        errors=sweep.errors,
    )


def bare_client(sim_url: str, runs: int) -> float:
    """The floor: the same number of requests at the same concurrency from a
    bare asyncio + httpx client (no engine), timed in the same run."""
    import asyncio

    from adapters.http import PooledClient

    async def main() -> float:
        gate = asyncio.Semaphore(CONCURRENCY)
        text = "Ada Lovelace met Charles Babbage of the Royal Society in London."
        body = {
            "model": "sim-extractor",
            "messages": [{"role": "user", "content": text}],
        }

        async def one(client: PooledClient, seed: int) -> None:
            async with gate:
                url = f"{sim_url}/v1/chat/completions"
                response = await client.post(url, json={**body, "seed": seed})
                response.raise_for_status()
                response.json()

        async with PooledClient() as client:
            started = time.perf_counter()
            await asyncio.gather(*(one(client, i) for i in range(runs)))
            return time.perf_counter() - started

    wall = asyncio.run(main())
    sys.stderr.write(f"  bare client: {runs} requests in {wall:.2f} s\n")
    return wall


def child(mode: str, sim_url: str, scale: int, result_path: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "promptlooper_site.settings")
    import django

    django.setup()
    import experiments.engine.runner  # noqa: F401  (import time is not sweep time)
    from experiments.services.experiments import create_experiment

    def configure(latency_ms: float, jitter_ms: float) -> None:
        body = {"latency_ms": latency_ms, "jitter_ms": jitter_ms}
        httpx.post(f"{sim_url}/config", json=body).raise_for_status()

    sys.stderr.write(f"[{mode}] cold + cached\n")
    configure(100, 20)
    # A shared 2-core machine is noisy (+/-4% between runs): the cold sweep
    # runs COLD_REPEATS times, each a fresh experiment, and its median counts.
    colds, floors = [], []
    for attempt in range(COLD_REPEATS):
        spec = build_spec(f"bench-cold-{attempt}", sim_url, 1000 // scale, seeds=1)
        experiment, _ = create_experiment(spec)
        colds.append(timed_sweep(experiment, sim_url))
        floors.append(bare_client(sim_url, 1000 // scale))
    results = {"cold": {**median_run(colds), "floor": statistics.median(floors)}}
    results["cached"] = timed_sweep(experiment, sim_url)
    sys.stderr.write(f"[{mode}] pipeline\n")
    pipelines = []
    for attempt in range(COLD_REPEATS):
        name = f"bench-pipeline-{attempt}"
        spec = build_pipeline_spec(name, sim_url, PIPELINE_ITEMS // scale)
        experiment, _ = create_experiment(spec)
        pipelines.append(timed_sweep(experiment, sim_url))
    results["pipeline"] = median_run(pipelines)
    sys.stderr.write(f"[{mode}] bulk\n")
    configure(0, 0)
    spec = build_spec("bench-bulk", sim_url, 20000 // scale, seeds=2)
    experiment, _ = create_experiment(spec)
    results["bulk"] = timed_sweep(experiment, sim_url)
    results["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(result_path).write_text(json.dumps(results))


# --- parent: databases, simulator, report -------------------------------------


def recreate_pg_database(name: str = PG_DB) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def mode_env(mode: str, data_dir: str) -> dict:
    skip = ("DATABASE_URL", "REDIS_URL")  # REDIS_URL unset: compare databases only
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(LOG_LEVEL="WARNING", PROMPTLOOPER_DATA_DIR=data_dir)
    if mode == "postgres":
        url = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
        env.update(PROD_SECRETS, DATABASE_URL=url)
    return env


def start_simulator(env: dict) -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "manage.py", "simulate_llm", "--port", "0"]
    command += ["--latency-ms", "100", "--jitter-ms", "20"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE)
    banner = proc.stdout.readline().decode()
    match = re.search(r"(http://[\d.]+:\d+)/v1", banner)
    deadline = time.monotonic() + 15
    while match and time.monotonic() < deadline:
        try:
            httpx.get(f"{match.group(1)}/health").raise_for_status()
            return proc, match.group(1)
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the simulator did not start")


def whole_process(env: dict, sim_url: str, data_dir: str, scale: int) -> dict:
    """Scenario 4: ``manage.py runexperiment --json`` as the shell runs it, on a
    spec whose runs are all cached (its first run, here, fills the cache)."""
    spec_path = Path(data_dir) / "bench-cli.json"
    spec_path.write_text(json.dumps(build_spec("bench-cli", sim_url, 1000 // scale, 1)))
    command = [sys.executable, "manage.py", "runexperiment", str(spec_path), "--json"]

    def once() -> tuple[float, dict]:
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            sys.stderr.write(done.stderr.decode())
            raise SystemExit(f"runexperiment exited {done.returncode}")
        return wall, json.loads(done.stdout)

    once()
    before = httpx.get(f"{sim_url}/stats").json()["requests"]
    walls, sweeps, errors = [], [], 0
    for _ in range(CLI_REPEATS):
        wall, summary = once()
        walls.append(wall)
        sweeps.append(summary["duration_s"])
        errors += summary["errors"]
    calls = httpx.get(f"{sim_url}/stats").json()["requests"] - before
    sys.stderr.write(f"  runexperiment: {' / '.join(f'{w:.2f}' for w in walls)} s\n")
    return dict(
        runs=summary["planned"],
        wall=statistics.median(walls),
        sweep=statistics.median(sweeps),
        calls=calls,
        errors=errors,
    )


def run_mode(mode: str, scale: int) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"plbench-{mode}-") as data_dir:
        env = mode_env(mode, data_dir)
        if mode == "postgres":  # left in place afterwards, for inspection
            recreate_pg_database()
        migrate = [sys.executable, "manage.py", "migrate", "-v0", "--skip-checks"]
        subprocess.run(migrate, cwd=ROOT, env=env, check=True)
        sim, sim_url = start_simulator(env)
        try:
            result_path = str(Path(data_dir) / "result.json")
            command = [sys.executable, __file__, "--child", mode, "--sim", sim_url]
            command += ["--result", result_path, "--scale", str(scale)]
            subprocess.run(command, cwd=ROOT, env=env, check=True)
            results = json.loads(Path(result_path).read_text())
            results["mode"] = mode
            sys.stderr.write(f"[{mode}] cli (whole process)\n")
            results["cli"] = whole_process(env, sim_url, data_dir, scale)
            return results
        finally:
            sim.terminate()
            sim.wait(10)


def run_live(mode: str, redis_url: str) -> dict:
    """Scenario 6 on its own fresh database, simulator, web server and worker."""
    import live

    with tempfile.TemporaryDirectory(prefix=f"plbench-live-{mode}-") as data_dir:
        env = mode_env(mode, data_dir)
        if mode == "postgres":
            name = f"{PG_DB}_live"
            url = f"postgres://postgres@127.0.0.1:5432/{name}"
            env.update(REDIS_URL=redis_url, DATABASE_URL=url)
            recreate_pg_database(name)
        migrate = [sys.executable, "manage.py", "migrate", "-v0", "--skip-checks"]
        subprocess.run(migrate, cwd=ROOT, env=env, check=True)
        sim, sim_url = start_simulator(env)
        try:
            sys.stderr.write(f"[{mode}] live\n")

            def spec_of(name: str, url: str, runs: int) -> dict:
                return build_spec(name, url, runs, seeds=runs // 1000 or 1)

            return live.measure(env, spec_of, sim_url)
        finally:
            sim.terminate()
            sim.wait(10)


def run_analysis(mode: str, build: str, scale: int) -> dict:
    """Scenario 7 on its own fresh database and simulator."""
    import analysis

    with tempfile.TemporaryDirectory(prefix=f"plbench-analysis-{mode}-") as data_dir:
        env = mode_env(mode, data_dir)
        if mode == "postgres":
            name = f"{PG_DB}_analysis"
            env.update(DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}")
            recreate_pg_database(name)
        migrate = [sys.executable, "manage.py", "migrate", "-v0", "--skip-checks"]
        subprocess.run(migrate, cwd=ROOT, env=env, check=True)
        sim, sim_url = start_simulator(env)
        try:
            sys.stderr.write(f"[{mode}] analysis\n")
            return analysis.measure(env, sim_url, build, scale)
        finally:
            sim.terminate()
            sim.wait(10)


def run_guided(mode: str, seeds: int) -> dict:
    """Scenario 8 on its own fresh database and simulator."""
    import guided

    with tempfile.TemporaryDirectory(prefix=f"plbench-guided-{mode}-") as data_dir:
        env = mode_env(mode, data_dir)
        if mode == "postgres":
            name = f"{PG_DB}_guided"
            env.update(DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}")
            recreate_pg_database(name)
        migrate = [sys.executable, "manage.py", "migrate", "-v0", "--skip-checks"]
        subprocess.run(migrate, cwd=ROOT, env=env, check=True)
        sim, sim_url = start_simulator(env)
        try:
            sys.stderr.write(f"[{mode}] guided\n")
            return guided.measure(env, sim_url, seeds)
        finally:
            sim.terminate()
            sim.wait(10)


def all_rows(r: dict) -> list[tuple]:
    import analysis
    import guided
    import live

    return (
        (rows(r) if "cold" in r else [])
        + (live.rows(r["live"]) if "live" in r else [])
        + (analysis.rows(r["analysis"]) if "analysis" in r else [])
        + (guided.rows(r["guided"]) if "guided" in r else [])
    )


def rows(r: dict) -> list[tuple]:
    """(scenario, metric, value, target, passed or None)."""
    cold, cached, bulk, cli = r["cold"], r["cached"], r["bulk"], r["cli"]
    pipe = r["pipeline"]
    ideal = cold["runs"] * LATENCY_S / CONCURRENCY
    ratio = cold["wall"] / ideal
    bulk_rate = bulk["runs"] / bulk["wall"]
    errors = cold["errors"] + cached["errors"] + bulk["errors"] + cli["errors"]
    errors += pipe["errors"]
    n_pipe = pipe["runs"] // PIPELINE_CHOICES**2  # items
    unique = PIPELINE_CHOICES * n_pipe + PIPELINE_CHOICES**2 * n_pipe  # 3N + 9N
    naive = pipe["runs"] * PIPELINE_STAGES
    # Its ideal counts the calls it must send, not its runs; a second stage
    # starts only after its first, so the critical path (one latency per
    # stage) is the floor when there are too few calls to fill the slots.
    pipe_ideal = max(
        pipe["calls"] * LATENCY_S / CONCURRENCY, PIPELINE_STAGES * LATENCY_S
    )
    pipe_ratio = pipe["wall"] / pipe_ideal
    per_stage = pipe["by_model"]
    stage_calls = (per_stage.get("sim-echo", 0), per_stage.get("sim-extractor", 0))
    # The whole-process target is SQLite's (single-container mode, where the
    # CLI is used most); PostgreSQL's figure is reported beside it.
    cli_ok = cli["wall"] < 1.0 if r["mode"] == "sqlite" else None
    n_cold = cold["runs"]
    return [
        (f"cold ({n_cold} runs, 100+/-20 ms)", "engine wall s (median of 3)",
         cold["wall"], "", None),
        ("", "all three walls s", " / ".join(f"{w:.2f}" for w in cold["walls"]), "",
         None),
        ("", "ideal s (runs x 0.1 / 32)", ideal, "", None),
        ("", "wall / ideal", f"{ratio:.3f}", "<= 1.15", ratio <= 1.15),
        ("", "bare client s (median of 3)", cold["floor"], "", None),
        ("", "wall / bare client", f"{cold['wall'] / cold['floor']:.3f}", "", None),
        ("", "calls", cold["calls"], f"= {n_cold}", cold["calls"] == n_cold),
        ("", "runs/s", round(n_cold / cold["wall"]), "", None),
        (f"cached ({cached['runs']} runs)", "engine wall s", cached["wall"], "< 1.5",
         cached["wall"] < 1.5),
        ("", "calls", cached["calls"], "= 0", cached["calls"] == 0),
        (f"pipeline ({pipe['runs']} runs, 3 x 3 x {n_pipe})",
         "engine wall s (median of 3)", pipe["wall"], "", None),
        ("", "all three walls s", " / ".join(f"{w:.2f}" for w in pipe["walls"]), "",
         None),
        ("", "unique calls (simulator)", pipe["calls"], f"= {unique}",
         pipe["calls"] == unique),
        ("", "  extract / normalise", " / ".join(map(str, stage_calls)),
         f"= {3 * n_pipe} / {9 * n_pipe}", None),
        ("", "naive calls (runs x stages)", naive, "", None),
        ("", "ideal s (unique x 0.1 / 32)", pipe_ideal, "", None),
        ("", "wall / ideal", f"{pipe_ratio:.3f}", "<= 1.15", pipe_ratio <= 1.15),
        (f"bulk ({bulk['runs']} runs, 0 ms)", "engine wall s", bulk["wall"], "", None),
        ("", "runs/s", round(bulk_rate), ">= 300", bulk_rate >= 300),
        ("", "peak RSS MB", round(r["rss_mb"]), "< 400", r["rss_mb"] < 400),
        (f"cli cached ({cli['runs']} runs)", "whole process s (median 5)", cli["wall"],
         "< 1.0", cli_ok),
        ("", "its sweep s (median 5)", cli["sweep"], "", None),
        ("", "calls", cli["calls"], "= 0", cli["calls"] == 0),
        ("all", "failed runs", errors, "= 0", errors == 0),
    ]  # fmt: skip


def cell(value) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def verdict(passed: bool | None) -> str:
    return "" if passed is None else ("PASS" if passed else "MISS")


def print_mode(mode: str, r: dict) -> None:
    line = "{:<34}{:<28}{:>10}  {:<10}{}".format
    out(f"\n== {mode} ==\n" + line("scenario", "metric", "value", "target", "result"))
    for scenario, metric, value, target, passed in all_rows(r):
        out(line(scenario, metric, cell(value), target, verdict(passed)))


def keyed(rows: list[tuple]) -> dict[tuple[str, str], tuple]:
    """Rows by (scenario, metric), the scenario carried down to its rows."""
    keyed, scenario = {}, ""
    for row in rows:
        scenario = row[0] or scenario
        keyed[(scenario, row[1])] = row
    return keyed


def print_markdown(results: dict) -> None:
    modes = list(results)
    tables = [keyed(all_rows(results[m])) for m in modes]
    out("\n| Scenario | Metric | Target | " + " | ".join(modes) + " |")
    out("|" + "---|" * (3 + len(modes)))
    # Some scenarios run in one mode only (analysis: PostgreSQL; guided: the
    # first mode): the other modes show an empty cell.
    keys = list(dict.fromkeys(key for table in tables for key in table))
    for key in keys:
        scenario, metric, _, target, _ = next(t[key] for t in tables if key in t)
        cells = [
            f"{cell(t[key][2])} {verdict(t[key][4])}".strip() if key in t else ""
            for t in tables
        ]
        out(f"| {scenario} | {metric} | {target} | " + " | ".join(cells) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add = parser.add_argument
    add("--mode", choices=["sqlite", "postgres", "both"], default="both")
    add("--quick", action="store_true", help="10x fewer runs")
    add(
        "--scenario",
        choices=["all", "engine", "live", "analysis", "guided"],
        default="all",
    )
    add("--seeds", type=int, default=20, help="the guided scenario's seeds")
    add("--analysis-build", choices=["engine", "bulk"], default="engine",
        help="how the analysis scenario makes its 100,000 runs")  # fmt: skip
    add("--redis-url", default="redis://127.0.0.1:6379/7",
        help="Redis for the live scenario's PostgreSQL mode")  # fmt: skip
    for internal in ("--child", "--sim", "--result"):  # parent -> child
        add(internal, help=argparse.SUPPRESS)
    add("--scale", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.sim, args.scale, args.result)
        return 0
    modes = ["sqlite", "postgres"] if args.mode == "both" else [args.mode]
    results = {}
    for mode in modes:
        results[mode] = {"mode": mode}
        if args.scenario in ("all", "engine"):
            results[mode] = run_mode(mode, 10 if args.quick else 1)
        if args.scenario in ("all", "live"):
            results[mode]["live"] = run_live(mode, args.redis_url)
        if args.scenario == "analysis" or (
            args.scenario == "all" and mode == "postgres"
        ):
            scale = 10 if args.quick else 1
            results[mode]["analysis"] = run_analysis(mode, args.analysis_build, scale)
        # Once per invocation: its figures (calls, picks) do not depend on
        # the database.
        if args.scenario in ("all", "guided") and mode == modes[0]:
            results[mode]["guided"] = run_guided(mode, args.seeds)
        print_mode(mode, results[mode])
    print_markdown(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
