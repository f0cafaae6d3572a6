"""The ``analysis`` scenario of run_bench.py: a sweep's analysis endpoints on
a 100,000-run sweep (the issue's target: each answers in < 300 ms on
PostgreSQL).

The sweep: 2 prompts x 2 models x 5 temperatures x 5 seeds = 100 configs,
over 500 items x 2 samples, scored by json_valid and json_f1 (``--quick``:
50 items, 10,000 runs). It is built one of two ways (``--analysis-build``):

- ``engine`` (the default): through the engine and the simulator at 0 ms,
  as any sweep is; 100,000 runs took 430 s to 776 s on the shared 2-core
  machine (130 to 230 runs/s, as busy as it was);
- ``bulk``: the engine's planner makes the runs, then ``engine.bulk``
  writes every result at once (synthetic scores, and messages, output and
  raw response of the engine's sizes, so the rows are as wide); about a
  minute.

Each endpoint (leaderboard, pareto, marginals, heatmap, the leaderboard
filtered by a scorer and as CSV, two configs compared, the sweep against a
rerun of it, the best config as a spec) is called through Django's test
client, in process (authentication, scoping, serializers and JSON, no
network), as a viewer of the project: ``cold`` with the analysis cache
emptied before each call (median of 3; the database's own buffers stay
warm; the sweep's stored columns are read), ``warm`` from the cache (median
of 5). ``first read`` is the leaderboard with nothing stored: it reads the
runs table and stores the columns (what the worker's final leaderboard
does when a sweep ends).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 300
ITEMS, SAMPLES = 500, 2
ENDPOINTS = [
    ("leaderboard", "leaderboard/"),
    ("pareto", "pareto/"),
    ("marginals", "marginals/"),
    ("heatmap", "heatmap/?x=prompt&y=model"),
    ("leaderboard ?scorer=", "leaderboard/?scorer=json_f1:people"),
]
COLD, WARM = 3, 5


def spec(name: str, sim_url: str, n_items: int) -> dict:
    text = "met Charles Babbage of the Royal Society in London."
    items = [
        {
            "input": {"text": f"{name} {i}: Person{i} Smith {text}"},
            "expected": {"people": [f"Person{i} Smith", "Charles Babbage"]},
        }
        for i in range(n_items)
    ]
    prices = {
        "sim-extractor": {"input_per_mtok": 3.0, "output_per_mtok": 15.0},
        "sim-sloppy": {"input_per_mtok": 0.5, "output_per_mtok": 1.5},
    }
    return {
        "name": name,
        "project": "bench",
        "endpoints": [{"name": "sim", "base_url": f"{sim_url}/v1",
                       "max_concurrency": 64, "prices": prices}],
        "dataset": {"items": items},
        "prompts": [{"name": "plain", "template": "{{ text }}"},
                    {"name": "ask", "template": "List the people: {{ text }}"}],
        "models": [{"endpoint": "sim", "model": "sim-extractor"},
                   {"endpoint": "sim", "model": "sim-sloppy"}],
        "params": {"temperature": [0.0, 0.25, 0.5, 0.75, 1.0],
                   "seed": [0, 1, 2, 3, 4]},
        "samples": SAMPLES,
        "scorers": [{"type": "json_valid"}, {"type": "json_f1", "field": "people"}],
        "concurrency": 32,
    }  # fmt: skip


def measure(env: dict, sim_url: str, build: str, scale: int) -> dict:
    """Build the sweep and time the endpoints in a child process (settings
    come from ``env`` at import)."""
    result = Path(env["PROMPTLOOPER_DATA_DIR"]) / "analysis.json"
    command = [sys.executable, __file__, sim_url, build, str(scale), str(result)]
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    return json.loads(result.read_text())


def rows(r: dict) -> list[tuple]:
    """(scenario, metric, value, target, passed or None), as run_bench's."""
    out = [
        (f"analysis ({r['runs']} runs, {r['build']})", "build s", r["build_s"], "",
         None),
        ("", "load average at start", r["load"], "", None),
    ]  # fmt: skip
    first = r["first_ms"]
    out.append(("", "first read after the sweep (stores columns) ms", first,
                f"< {TARGET_MS}", first < TARGET_MS))  # fmt: skip
    for name in r["cold_ms"]:
        cold, warm = r["cold_ms"][name], r["warm_ms"][name]
        target = f"< {TARGET_MS}"
        out.append(("", f"{name} cold ms", cold, target, cold < TARGET_MS))
        out.append(("", f"{name} warm ms", warm, target, warm < TARGET_MS))
    return out


# --- child: inside Django -------------------------------------------------------


def _build_engine(experiment) -> tuple[int, float]:
    from experiments.services.sweeps import create_sweep, run_sweep

    sweep = create_sweep(experiment)
    started = time.perf_counter()
    sweep = run_sweep(sweep)
    if sweep.status != "completed" or sweep.done != sweep.planned:
        raise SystemExit(f"sweep {sweep.pk} did not complete: {sweep.status}")
    return sweep.pk, time.perf_counter() - started


def _build_bulk(experiment) -> tuple[int, float]:
    """Plan the runs as the engine does, then write made-up results in bulk."""
    import random

    from django.db import transaction
    from django.utils import timezone

    from experiments.engine import bulk, store
    from experiments.models import Run, Score, Sweep
    from experiments.services.sweeps import create_sweep

    sweep = create_sweep(experiment)
    started = time.perf_counter()
    store.plan_runs(store.load_context(sweep.pk))
    rng = random.Random(sweep.pk)
    now = timezone.now()
    runs = list(Run.objects.filter(sweep=sweep).values_list("id", "config", "item_id"))
    fields = ["status", "messages", "output_text", "raw_response", "score", "cost",
              "latency_ms", "prompt_tokens", "completion_tokens", "attempts",
              "finished_at", "served_model"]  # fmt: skip
    results, scores = [], []
    for run_id, config, item_id in runs:
        good = config["model"] == "sim-extractor"
        valid = (
            1.0 if good or rng.random() > 0.3 * config["params"]["temperature"] else 0.0
        )
        f1 = min(1.0, max(0.0, (0.8 if good else 0.5) + rng.gauss(0, 0.15)))
        output = json.dumps({"people": [f"Person{item_id} Smith"], "places": []})
        raw = {"id": f"sim-{run_id}", "object": "chat.completion",
               "model": config["model"], "choices": [{"index": 0, "message": {
                   "role": "assistant", "content": output}, "finish_reason": "stop"}],
               "usage": {"prompt_tokens": 20, "completion_tokens": 18}}  # fmt: skip
        messages = [{"role": "user", "content": f"Person{item_id} Smith met Charles."}]
        results.append((run_id, "done", messages, output, raw, (valid + f1) / 2,
                        3.5e-4 if good else 4e-5, rng.uniform(0.2, 3.0), 20, 18, 1,
                        now, config["model"]))  # fmt: skip
        scores += [(run_id, "json_valid", valid, 1.0, ""),
                   (run_id, "json_f1:people", f1, 1.0, "")]  # fmt: skip
    with transaction.atomic():
        bulk.update(Run, fields, results)
        bulk.insert(Score, ["run", "scorer", "value", "weight", "error"], scores)
        Sweep.objects.filter(pk=sweep.pk).update(
            status="completed", done=len(runs), started_at=now, finished_at=now
        )
    return sweep.pk, time.perf_counter() - started


def _median_ms(call, times: int, before=None) -> float:
    walls = []
    for _ in range(times):
        if before:
            before()
        started = time.perf_counter()
        response = call()
        walls.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{response.status_code}: {response.content[:300]!r}")
    return round(statistics.median(walls), 1)


def child(sim_url: str, build: str, scale: int, result: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "promptlooper_site.settings")
    import django

    django.setup()
    import httpx
    from django.contrib.auth.models import User
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import setup_test_environment
    from rest_framework.test import APIClient

    from experiments.models import Membership, Project
    from experiments.services.experiments import create_experiment

    load = round(os.getloadavg()[0], 2)
    httpx.post(f"{sim_url}/config", json={"latency_ms": 0, "jitter_ms": 0})
    experiment, _ = create_experiment(spec("bench-analysis", sim_url, ITEMS // scale))
    sys.stderr.write(f"  analysis: building {build}\n")
    sweep_id, build_s = (_build_engine if build == "engine" else _build_bulk)(
        experiment
    )
    if connection.vendor == "postgresql":  # as autovacuum would, after a load
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE experiments_run")
            cursor.execute("VACUUM ANALYZE experiments_score")
    sys.stderr.write(f"  analysis: sweep {sweep_id} built in {build_s:.0f} s\n")
    setup_test_environment()  # the test client's host, "testserver"
    viewer = User.objects.create_user("bench-viewer")
    project = Project.objects.get(name="bench")
    Membership.objects.create(project=project, user=viewer, role="viewer")
    client = APIClient()
    client.force_authenticate(viewer)
    client.get(f"/api/sweeps/{sweep_id}/")  # imports and connections: not timed
    cold, warm = {}, {}
    # The first analysis after the sweep ended reads the runs table and
    # stores the columns every later one reads (the worker's final
    # leaderboard usually pays it): timed once, from nothing stored.
    url = f"/api/sweeps/{sweep_id}/leaderboard/"
    first = _median_ms(lambda: client.get(url), 1, lambda: _forget(sweep_id))
    sys.stderr.write(f"  first read: {first} ms\n")
    board = client.get(url).json()
    top = ",".join(row["config_hash"] for row in board[:2])
    # A rerun of the sweep (all cache hits): the sweep against sweep view.
    other, rerun_s = _rerun(experiment, build)
    sys.stderr.write(f"  analysis: rerun sweep {other} in {rerun_s:.0f} s\n")
    for name, path in [
        *ENDPOINTS,
        ("leaderboard csv", "leaderboard/?format=csv"),
        ("compare 2 configs", f"compare/?configs={top}"),
        ("sweep against sweep", f"versus/{other}/"),
        ("config spec", "config-spec/"),
    ]:
        url = f"/api/sweeps/{sweep_id}/{path}"
        cold[name] = _median_ms(lambda u=url: client.get(u), COLD, cache.clear)
        warm[name] = _median_ms(lambda u=url: client.get(u), WARM)
        sys.stderr.write(f"  {name}: cold {cold[name]} ms, warm {warm[name]} ms\n")
    runs = experiment.sweeps.get(pk=sweep_id).runs.count()
    Path(result).write_text(json.dumps({
        "runs": runs, "build": build, "build_s": round(build_s, 1),
        "cold_ms": cold, "warm_ms": warm, "load": load, "first_ms": first,
    }))  # fmt: skip


def _forget(sweep_id: int) -> None:
    from django.core.cache import cache

    from experiments.models import SweepColumns

    cache.clear()
    SweepColumns.objects.filter(sweep_id=sweep_id).delete()


def _rerun(experiment, build: str) -> tuple[int, float]:
    """The experiment's sweep again: through the engine, every run a cache
    hit; in bulk mode, written as the first was."""
    if build == "bulk":
        return _build_bulk(experiment)
    return _build_engine(experiment)


if __name__ == "__main__":
    child(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])
