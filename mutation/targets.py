"""The core modules and the tests that cover each (the smallest set that
pins the module down, so a mutant's run stays short)."""

from __future__ import annotations

SCORING = ["scoring/tests"]
SPEC = [
    "experiments/tests/test_spec_bounds.py",
    "experiments/tests/test_spec_validator.py",
    "experiments/tests/test_spec_params.py",
    "experiments/tests/test_spec_review_fixes.py",
    "experiments/tests/test_concurrency_plan.py",
    "experiments/tests/test_security_sweep_size.py",
    "experiments/tests/test_spec_stages.py",
]
ADAPTERS = ["adapters/tests"]
# The spec validator's modules (experiments/spec/validator/), one per section.
VALIDATOR = [
    "__init__",
    "base",
    "endpoints",
    "dataset",
    "stages",
    "scorers",
    "template_checks",
    "totals",
]

TARGETS: dict[str, list[str]] = {
    "scoring/builtins.py": SCORING,
    "scoring/builtins_json.py": SCORING,
    "scoring/judge.py": SCORING,
    "scoring/strict_json.py": SCORING,
    "experiments/engine/cache.py": [
        "experiments/tests/test_cache_golden_keys.py",
        "experiments/tests/test_cache_keys.py",
        "experiments/tests/test_cache_scope.py",
        "experiments/tests/test_base_url_query.py",
    ],
    "experiments/engine/planner.py": [
        "experiments/tests/test_planner_order.py",
        "experiments/tests/test_security_sweep_size.py",
        "experiments/tests/test_spec_review_fixes.py",
    ],
    **{f"experiments/spec/validator/{name}.py": SPEC for name in VALIDATOR},
    "experiments/spec/params.py": SPEC,
    "experiments/spec/limits.py": SPEC,
    "experiments/spec/concurrency.py": SPEC,
    "adapters/retry.py": ADAPTERS,
    "adapters/limits.py": ADAPTERS,
    "adapters/circuit.py": ADAPTERS,
}
