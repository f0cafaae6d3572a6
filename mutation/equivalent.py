"""Mutants that cannot change behaviour (equivalent mutants), with why.

A mutant that survives and matches an entry here on (module, the original
source line stripped, the mutation's description) counts as equivalent and
is left out of the score; one that is killed counts as killed. A line that
moves keeps its entry; a line that changes drops out and is judged again.
"""

from __future__ import annotations

EQUIVALENT: list[tuple[str, str, str, str]] = [
    # (module, source line, description, why it is equivalent)
    (
        "scoring/builtins.py",
        "return ScoreResult(1.0 if ok else 0.0, detail)",
        "1.0 -> 2.0",
        "SafeScorer clamps every value into [0, 1]",
    ),
    (
        "scoring/builtins.py",
        'return ScoreResult(1.0, {"cost": None, "max_usd": limit})',
        "1.0 -> 2.0",
        "SafeScorer clamps every value into [0, 1]",
    ),
    (
        "scoring/builtins_json.py",
        'return ScoreResult(1.0, {"precision": 1.0, "recall": 1.0})',
        "1.0 -> 2.0",
        "the value is clamped by SafeScorer (the detail's 1.0s are pinned)",
    ),
    (
        "scoring/builtins_json.py",
        'return passed(False, {"reason": str(exc)[:300]})',
        "300 -> 301",
        "parse errors are short (json's messages, strict_json's own)",
    ),
    (
        "scoring/builtins_json.py",
        'self._schema_error = ""',
        "drop `self._schema_error = ''`",
        "only read when the schema was invalid, which sets it",
    ),
    (
        "scoring/judge.py",
        "text = _WORD.sub(lambda m: str(_WORDS.index(m[1].lower())), text)",
        "1 -> 0",
        "the pattern is one group around the whole match: m[0] == m[1]",
    ),
    (
        "adapters/circuit.py",
        'self.reason = ""',
        "drop `self.reason = ''`",
        "read only when broken, and every failure recorded sets it first",
    ),
    (
        "adapters/circuit.py",
        "self.broken_at = 0.0",
        "drop `self.broken_at = 0.0`",
        "read only when broken, which sets it",
    ),
    (
        "adapters/circuit.py",
        "self.broken_at = 0.0",
        "0.0 -> 1.0",
        "read only when broken, which sets it",
    ),
    (
        "adapters/circuit.py",
        "if probing and self.state != PROBING:",
        "and -> or",
        "record() always leaves PROBING, and without a probe out _wake is a no-op",
    ),
    (
        "adapters/retry.py",
        'raise AssertionError("unreachable: the loop returns or raises")',
        "drop `raise AssertionError('unreachable: the loop returns or raise`",
        "unreachable: every policy has attempts >= 1",
    ),
    (
        "experiments/engine/planner.py",
        "dict(zip(names, combo, strict=True)),",
        "True -> False",
        "itertools.product yields one value per axis: the lengths always match",
    ),
    (
        "experiments/engine/planner.py",
        'if index >= len(spec["prompts"]):',
        ">= -> >",
        "at index == len(prompts) the lookup below raises IndexError as well",
    ),
    (
        "experiments/engine/planner.py",
        'raise IndexError("config index out of range")',
        "drop `raise IndexError('config index out of range')`",
        "the prompt lookup below raises IndexError for the same indices",
    ),
    # The spec validator: a value returned beside an error is never read (a
    # spec with errors returns the errors, not the normalised spec or its
    # estimates).
    (
        "experiments/spec/validator/__init__.py",
        "return {}",
        "return ... -> return None",
        "a strategy that is not a mapping is a schema error: the spec is dropped",
    ),
    (
        "experiments/spec/validator/dataset.py",
        "return {}",
        "return ... -> return None",
        "a dataset that is not a mapping is a schema error: the spec is dropped",
    ),
    (
        "experiments/spec/validator/dataset.py",
        "return spec  # with the error: read no further",
        "return ... -> return None",
        "it follows the one-source error: the spec is dropped",
    ),
    (
        "experiments/spec/validator/dataset.py",
        "if isinstance(limit, int) and limit >= 1:",
        "1 -> 0",
        "a limit under 1 is a schema error (minimum 1): the spec is dropped",
    ),
    (
        "experiments/spec/validator/template_checks.py",
        "return 0.0",
        "0.0 -> 1.0",
        "every `return 0.0` follows an error (or a non-string the schema "
        "reported): the length feeds only the cost of a valid spec",
    ),
    (
        "experiments/spec/validator/totals.py",
        "cost, unpriced = estimate_cost(check, spec, runs / total if total else 0.0)",
        "0.0 -> 1.0",
        "no runs means no items: every call count is 0 whatever the fraction",
    ),
    (
        "experiments/spec/validator/totals.py",
        "total += per_item * (price_of(price, chars / 4, mean_out) or 0.0)",
        "0.0 -> 1.0",
        "price is not empty here, so price_of never returns None (the `or` is "
        "for the type checker)",
    ),
    (
        "experiments/analysis/stats.py",
        "adjusted = [0.0] * m",
        "0.0 -> 1.0",
        "the loop assigns every index (order is a permutation of range(m))",
    ),
    (
        "adapters/retry.py",
        "for attempt in range(1, policy.attempts + 1):",
        "1 -> 2",
        "the last attempt raises or returns: an extra iteration is never reached",
    ),
    (
        "experiments/engine/halving.py",
        "for j in range(i + 1, n):",
        "+ -> -",
        "pairs compared twice count twice both ways (beats, beaten_by): same ranks",
    ),
    (
        "experiments/engine/halving.py",
        "for j in range(i + 1, n):",
        "1 -> 0",
        "a point never dominates itself: comparing it with itself changes nothing",
    ),
    (
        "experiments/engine/halving.py",
        "rank = [0] * n",
        "0 -> 1",
        "every point is on some front (domination has no cycles): all are set",
    ),
    (
        "experiments/engine/halving.py",
        "if values and len(values[0]) == 1:  # one objective: no need for fronts",
        "1 -> 0",
        "with one objective the fronts order by the value too: same order, slower",
    ),
    (
        "experiments/engine/halving.py",
        "for axis in range(len(levels[0]) if levels else 0):",
        "0 -> 1",
        "no levels means no configs, and pooled returns before (no runs)",
    ),
    (
        "experiments/engine/asker.py",
        "optuna.logging.set_verbosity(optuna.logging.WARNING)",
        "drop `optuna.logging.set_verbosity(optuna.logging.WARNING)`",
        "only how much optuna logs",
    ),
    (
        "experiments/engine/asker.py",
        "self.asked = 0",
        "0 -> 1",
        "Asked.number only orders configs (ties go to the one asked first)",
    ),
    (
        "experiments/engine/asker.py",
        "self.asked += 1",
        "1 -> 2",
        "Asked.number only orders configs (ties go to the one asked first)",
    ),
    (
        "experiments/engine/asker.py",
        "if self.untried <= 0:",
        "<= -> <",
        "with nothing untried the draws and the walk find nothing either: None",
    ),
    (
        "experiments/analysis/resample.py",
        "rows = max(1, MAX_CELLS // self.n_units)",
        "1 -> 0",
        "slices only bound memory: any slice size gives the same means (tested)",
    ),
    (
        "experiments/analysis/resample.py",
        "rows = max(1, MAX_CELLS // self.n_units)",
        "1 -> 2",
        "slices only bound memory: any slice size gives the same means (tested)",
    ),
    (
        "experiments/analysis/resample.py",
        "parts = [self._all] if rows >= self.resamples else self._slices(rows)",
        ">= -> >",
        "one slice of every resample is the whole draw (kept or not)",
    ),
    (
        "experiments/analysis/resample.py",
        "MAX_CELLS = 4_000_000",
        "4000000 -> 0",
        "a memory bound: slices of resamples give the whole draw's means (tested)",
    ),
    (
        "experiments/analysis/resample.py",
        "MAX_CELLS = 4_000_000",
        "4000000 -> 4000001",
        "a memory bound: slices of resamples give the whole draw's means (tested)",
    ),
    (
        "experiments/engine/asker.py",
        "index = (start + step) % size",
        "+ -> -",
        "walking down instead of up from a seeded start finds an untried config "
        "all the same (which one is the seeded choice)",
    ),
    (
        "experiments/engine/stage_calls.py",
        "future.exception()  # retrieved: waiters re-raise it themselves",
        "drop `future.exception()`",
        "log-only: marks the exception retrieved, so asyncio does not log "
        "'exception was never retrieved' when the future is collected",
    ),
    (
        "experiments/engine/stage_calls.py",
        "future.exception()",
        "drop `future.exception()`",
        "log-only: marks the exception retrieved, so asyncio does not log "
        "'exception was never retrieved' when the future is collected",
    ),
    (
        "experiments/engine/pipeline.py",
        "super().__init__(message)",
        "drop `super().__init__(message)`",
        "StageFailed is caught in the same module, which reads its attributes",
    ),
    (
        "experiments/engine/pipeline.py",
        'last = len(config["stages"]) - 1',
        "- -> +",
        "keeping the last stage's call for the sweep costs memory only: its "
        "request is one config's own, never asked again",
    ),
    (
        "experiments/engine/pipeline.py",
        'last = len(config["stages"]) - 1',
        "1 -> 0",
        "keeping the last stage's call for the sweep costs memory only: its "
        "request is one config's own, never asked again",
    ),
    (
        "experiments/engine/pipeline.py",
        "call, mine = await self.calls.get(p, keep=n < last)",
        "< -> <=",
        "keeping the last stage's call for the sweep costs memory only: its "
        "request is one config's own, never asked again",
    ),
    (
        "experiments/engine/pipeline.py",
        "usage.add(call.completion, call.cost, calls=0, sent=False)",
        "0 -> 1",
        "a run's upstream usage is read for its tokens and cost only (the "
        "sweep's calls are counted by StageCalls)",
    ),
    (
        "experiments/engine/pipeline.py",
        "usage.add(call.completion, call.cost, calls=0, sent=False)",
        "False -> True",
        "a run's upstream usage is read for its tokens and cost only (the "
        "sweep's calls are counted by StageCalls)",
    ),
    (
        "experiments/engine/guided.py",
        "self.ended = True",
        "drop `self.ended = True`",
        "the one after `if not asked:` is unreachable: bracket() is None when "
        "no config is untried, else ask() finds one (the other is killed)",
    ),
    (
        "experiments/engine/guided.py",
        "self.ended = True",
        "True -> False",
        "the one after `if not asked:` is unreachable: bracket() is None when "
        "no config is untried, else ask() finds one (the other is killed)",
    ),
    (
        "experiments/engine/guided.py",
        "return False",
        "return ... -> return None",
        "the caller tests the result for truth: None is False",
    ),
    (
        "experiments/engine/guided.py",
        "return False",
        "False -> True",
        "stopped mid-rung: the search loop stops at its next check either way",
    ),
    (
        "experiments/engine/guided.py",
        'self.seed: int = strategy.get("seed", 0)',
        "0 -> 1",
        "a validated strategy always has a seed (0 by default), kept by "
        "merge_strategy: the default here is never used",
    ),
    (
        "experiments/engine/pipeline.py",
        'result.latency_ms = sum(t["latency_ms"] or 0.0 for t in trace)',
        "0.0 -> 1.0",
        "a stage that answered always has a latency (a cache hit's is its "
        "stored one, or 0): the `or` never applies",
    ),
    (
        "experiments/engine/guided.py",
        "(*v[:at], round(by_index[a.index], 9), *v[at + 1 :])",
        "9 -> 10",
        "rounding at 1e-10 instead of 1e-9 only moves floating-point noise",
    ),
    (
        "experiments/spec/halving.py",
        "return max(1, math.ceil(n_items / eta**rungs))",
        "1 -> 0",
        "differs only without items, where halving_of (the one caller) caps it "
        "at the item count, 0, anyway",
    ),
    (
        "experiments/spec/halving.py",
        "if most < 1 or of(1, eta).runs(samples) > budget:",
        "1 -> 0",
        "of(0) is of(1): every rung keeps at least one config",
    ),
    (
        "experiments/spec/halving.py",
        "low, high = 1, most  # of(low) fits; a bracket's runs grow with n",
        "1 -> 0",
        "of(0) is of(1), so it fits too: the search finds the same largest n",
    ),
    (
        "experiments/analysis/resample.py",
        "elif spread[j] <= SAME:",
        "<= -> <",
        "a spread (or difference) of exactly SAME, 1e-12, is the boundary "
        "of a tolerance for float noise: either side of it means no spread",
    ),
    (
        "experiments/analysis/resample.py",
        "elif spread[j] <= SAME:  # no spread: the difference is what it is",
        "<= -> <",
        "a spread (or difference) of exactly SAME, 1e-12, is the boundary "
        "of a tolerance for float noise: either side of it means no spread",
    ),
    (
        "experiments/analysis/resample.py",
        "certain = 1.0 if abs(value) <= SAME else 0.0",
        "<= -> <",
        "a spread (or difference) of exactly SAME, 1e-12, is the boundary "
        "of a tolerance for float noise: either side of it means no spread",
    ),
    (
        "experiments/analysis/resample.py",
        "if means.size == 0:",
        "0 -> 1",
        "one value is one resample of one column: never drawn (2,000 resamples)",
    ),
    (
        "experiments/analysis/resample.py",
        "return np.empty((2, means.shape[1]))",
        "return ... -> return None",
        "no resample or no column: the callers read no bound of it",
    ),
    (
        "experiments/analysis/resample.py",
        "return np.empty((2, means.shape[1]))",
        "2 -> 0",
        "no resample or no column: the callers read no bound of it",
    ),
    (
        "experiments/analysis/resample.py",
        "return np.empty((2, means.shape[1]))",
        "2 -> 3",
        "no resample or no column: the callers read no bound of it",
    ),
    (
        "experiments/analysis/resample.py",
        "return np.empty((2, means.shape[1]))",
        "1 -> 0",
        "no resample or no column: the callers read no bound of it",
    ),
    (
        "experiments/analysis/resample.py",
        "return np.empty((2, means.shape[1]))",
        "1 -> 2",
        "no resample or no column: the callers read no bound of it",
    ),
    (
        "experiments/spec/halving.py",
        "mid = (low + high + 1) // 2",
        "1 -> 2",
        "a midpoint rounded up once more is still within (low, high]: the "
        "bisection ends on the same largest n",
    ),
    (
        "experiments/spec/halving.py",
        "fits, over = float(eta), 1.0  # runs shrink as the ratio grows",
        "1.0 -> 0.0",
        "the ratio searched is above 1 (ratio 1, the whole grid, was tried "
        "first): a lower start costs one bisection step of 40",
    ),
    (
        "experiments/analysis/resample.py",
        "unit_means = sums / np.where(present, counts, 1)",
        "1 -> 0",
        "the divisor of units without values, whose means are masked out",
    ),
    (
        "experiments/analysis/resample.py",
        "unit_means = sums / np.where(present, counts, 1)",
        "1 -> 2",
        "the divisor of units without values, whose means are masked out",
    ),
    (
        "experiments/analysis/resample.py",
        "return np.where(present.any(axis=0), high - low, 0.0)",
        "0.0 -> 1.0",
        "a column without values is None before its spread is read",
    ),
    (
        "experiments/spec/halving.py",
        "@dataclass(frozen=True)",
        "True -> False",
        "an immutability guard: nothing assigns to a Bracket",
    ),
    (
        "experiments/spec/halving.py",
        "RATIO_STEPS = 40  # bisection steps for the ratio that spends a spare budget",
        "40 -> 41",
        "one more halving of an interval already below 1e-11: the same bracket",
    ),
    (
        "experiments/engine/asker.py",
        "FALLBACK_DRAWS = 64",
        "64 -> 0",
        "a tuning constant: random draws before walking to an untried config; "
        "either way one is found (tested), only the seeded stream shifts",
    ),
    (
        "experiments/engine/asker.py",
        "FALLBACK_DRAWS = 64",
        "64 -> 65",
        "a tuning constant: random draws before walking to an untried config; "
        "either way one is found (tested), only the seeded stream shifts",
    ),
    (
        "experiments/engine/asker.py",
        'prefix = f"{stage[\'name\']}." if len(stages) > 1 else ""',
        "> -> >=",
        "axis names are optuna's parameter names only: its draws follow their "
        "order, not their names",
    ),
    (
        "experiments/engine/asker.py",
        'prefix = f"{stage[\'name\']}." if len(stages) > 1 else ""',
        "1 -> 0",
        "axis names are optuna's parameter names only: its draws follow their "
        "order, not their names",
    ),
    (
        "experiments/engine/thompson.py",
        "drawn[~open_] = -1.0",
        "1.0 -> 0.0",
        "a Beta draw is above 0, so a closed config marked 0 still loses to "
        "every open one (allocate stops before none is open)",
    ),
    (
        "experiments/engine/thompson.py",
        "drawn[~open_] = -1.0",
        "1.0 -> 2.0",
        "any mark below 0 loses to every Beta draw",
    ),
    (
        "experiments/engine/thompson.py",
        "if rng.random() >= LEADER_SHARE:",
        ">= -> >",
        "rng.random() equals 0.5 with probability 2**-53",
    ),
    (
        "experiments/engine/guided.py",
        "(round(float(model.means[row[a.index]]), 9),) for a in asked",
        "9 -> 10",
        "rounding at 1e-10 instead of 1e-9 only moves floating-point noise",
    ),
    (
        "experiments/engine/guided.py",
        "if items <= 0:",
        "<= -> <",
        "with no item to give, allocate gives none and the loop ends on the "
        "next check (`if not any(more)`)",
    ),
]

# zip(..., strict=True) is a guard: where it is used the sequences are built
# one entry per config (or per objective), so dropping it changes nothing.
STRICT_GUARD = ("strict=True", "True -> False")


def is_equivalent(module: str, source_line: str, description: str) -> str:
    """The reason when the mutant is a known equivalent, else ""."""
    guard, flipped = STRICT_GUARD
    if (
        description == flipped
        and source_line.count("True") == 1
        and guard in source_line
    ):
        return "zip's strict=True guards sequences built to the same length"
    for mod, line, text, why in EQUIVALENT:
        if mod == module and line == source_line and text == description:
            return why
    return ""
