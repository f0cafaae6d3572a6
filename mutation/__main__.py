"""``python -m mutation [module ...]``: mutate the core modules one mutant at
a time in a copy of the repository and report per module the mutants,
killed, survived and score, then the survivors.

A mutant is killed when its tests fail or time out (a hang is a catch). The
copy lives in a temporary directory; the working tree is never written.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from mutation.equivalent import is_equivalent
from mutation.operators import Mutant, find_mutants, mutated_source, sanity_check
from mutation.targets import TARGETS

ROOT = Path(__file__).resolve().parent.parent
EXCLUDED = {".venv", ".git", "node_modules", "__pycache__", ".hypothesis"}
TOP_LEVEL_EXCLUDED = {"data", "staticfiles", "frontend"}  # not the Python core


@dataclass
class Outcome:
    module: str
    mutants: int = 0
    killed: int = 0
    equivalent: list[tuple[Mutant, str]] = field(default_factory=list)
    survivors: list[Mutant] = field(default_factory=list)

    @property
    def scored(self) -> int:
        return self.mutants - len(self.equivalent)

    @property
    def score(self) -> float:
        return 100.0 * self.killed / self.scored if self.scored else 100.0


def copy_repository(target: Path) -> None:
    def ignore(directory: str, names: list[str]) -> list[str]:
        top = Path(directory) == ROOT
        return [n for n in names if n in EXCLUDED or (top and n in TOP_LEVEL_EXCLUDED)]

    shutil.copytree(ROOT, target, ignore=ignore)


def test_env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(PROMPTLOOPER_DATA_DIR=str(data_dir), PYTHONDONTWRITEBYTECODE="1")
    return env


def run_tests(copy: Path, tests: list[str], timeout: float) -> tuple[bool, float]:
    """(passed, seconds); a timeout counts as a failure (the mutant is caught)."""
    started = time.monotonic()
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
    command += ["-p", "no:randomly", *tests]
    try:
        done = subprocess.run(
            command,
            cwd=copy,
            env=test_env(copy / "data"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return False, time.monotonic() - started
    return done.returncode == 0, time.monotonic() - started


def mutate_module(
    module: str, copies: list[Path], verbose: bool, tests: list[str] | None = None
) -> Outcome:
    source = (ROOT / module).read_text()
    tests = tests or TARGETS[module]
    outcome = Outcome(module)
    mutants = find_mutants(source)
    outcome.mutants = len(mutants)
    # Baseline: the unmutated module as unparsed must pass, else every mutant
    # would look killed.
    for copy in copies:
        (copy / module).write_text(sanity_check(source))
    ok, seconds = run_tests(copies[0], tests, timeout=600)
    if not ok:
        raise SystemExit(f"{module}: its tests fail without a mutant ({tests})")
    timeout = max(30.0, seconds * 4)
    todo = mutants

    def run_one(args: tuple[int, Mutant]) -> tuple[Mutant, bool]:
        slot, mutant = args
        copy = copies[slot % len(copies)]
        (copy / module).write_text(mutated_source(source, mutant))
        passed, _ = run_tests(copy, tests, timeout)
        if verbose:
            state = "SURVIVED" if passed else "killed"
            print(f"  {module}:{mutant.line} {mutant.description}: {state}", flush=True)
        return mutant, passed

    # One mutant per copy at a time: each worker owns copies[slot].
    with ThreadPoolExecutor(max_workers=len(copies)) as pool:
        batches = [todo[i : i + len(copies)] for i in range(0, len(todo), len(copies))]
        for batch in batches:
            for mutant, passed in pool.map(run_one, enumerate(batch)):
                why = is_equivalent(module, mutant.source_line, mutant.description)
                if passed and why:
                    outcome.equivalent.append((mutant, why))
                elif passed:
                    outcome.survivors.append(mutant)
                else:
                    outcome.killed += 1
    for copy in copies:
        (copy / module).write_text(source)
    return outcome


def report(outcomes: list[Outcome], seconds: float) -> None:
    width = max(34, *(len(o.module) for o in outcomes))
    header = (
        f"{'module':<{width}} {'mutants':>7} {'equiv':>5} {'killed':>6}"
        f" {'survived':>8} {'score':>6}"
    )
    print("\n" + header)
    print("-" * len(header))
    for o in outcomes:
        print(
            f"{o.module:<{width}} {o.mutants:>7} {len(o.equivalent):>5} {o.killed:>6}"
            f" {len(o.survivors):>8} {o.score:>5.1f}%"
        )
    print(f"\n{seconds / 60:.1f} min; score = killed / (mutants - equivalent)")
    for o in outcomes:
        if o.equivalent:
            print(f"\nEquivalent in {o.module} (survived; mutation/equivalent.py):")
            for m, why in o.equivalent:
                print(f"  {o.module}:{m.line}: {m.description}: {why}")
    for o in outcomes:
        if o.survivors:
            print(f"\nSurvivors in {o.module}:")
            for m in o.survivors:
                print(
                    f"  {o.module}:{m.line}: {m.description}    | {m.source_line[:70]}"
                )


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m mutation", description=__doc__)
    parser.add_argument("modules", nargs="*", help="default: every core module")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at once")
    parser.add_argument("--list", action="store_true", help="list mutants, run nothing")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument(
        "--tests", nargs="+", help="run these tests instead of the module's own"
    )
    args = parser.parse_args()
    modules = args.modules or list(TARGETS)
    unknown = [m for m in modules if m not in TARGETS]
    if unknown:
        parser.error(
            f"not a core module: {', '.join(unknown)} (see mutation/targets.py)"
        )
    if args.list:
        for module in modules:
            for m in find_mutants((ROOT / module).read_text()):
                print(f"{module}:{m.line}: {m.description}    | {m.source_line[:70]}")
        return 0
    # A stopped run (kill, Ctrl-C) still removes its copies.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="pl_mutation_") as tmp:
        copies = [Path(tmp) / f"repo{i}" for i in range(max(1, args.jobs))]
        for copy in copies:
            copy_repository(copy)
        outcomes = []
        for module in modules:
            print(f"{module}: mutating ...", flush=True)
            outcome = mutate_module(module, copies, args.verbose, args.tests)
            outcomes.append(outcome)
            print(
                f"{module}: {outcome.killed} of {outcome.scored} killed"
                f" ({outcome.score:.1f}%)",
                flush=True,
            )
    report(outcomes, time.monotonic() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
