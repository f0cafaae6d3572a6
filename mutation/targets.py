"""The core modules and the tests that cover each (the smallest set that
pins the module down, so a mutant's run stays short)."""

from __future__ import annotations

SCORING = ["scoring/tests"]
SPEC = [
    # The validator's own (no database) first: most mutants fail there fast.
    "experiments/tests/test_spec_validator.py",
    "experiments/tests/test_spec_documents.py",
    "experiments/tests/test_spec_endpoints.py",
    "experiments/tests/test_spec_datasets.py",
    "experiments/tests/test_spec_prompts.py",
    "experiments/tests/test_spec_scorers.py",
    "experiments/tests/test_spec_template_checks.py",
    "experiments/tests/test_spec_estimates.py",
    "experiments/tests/test_spec_stages.py",
    "experiments/tests/test_spec_stage_refs.py",
    "experiments/tests/test_spec_bounds.py",
    "experiments/tests/test_spec_params.py",
    "experiments/tests/test_template_limits.py::"
    "test_slow_templates_share_one_validation_allowance",
    "experiments/tests/test_spec_review_fixes.py",
    "experiments/tests/test_concurrency_plan.py",
    "experiments/tests/test_security_sweep_size.py",
    "experiments/tests/test_guided_validation.py",
]
ADAPTERS = ["adapters/tests"]
# Pipeline sweeps against the simulator: the engine tests minus the slow ones
# that start processes (a worker, the commands), with the one stop between
# stages (a task deadline) that leaves runs pending.
PIPELINE_ENGINE = [
    "experiments/tests/test_stage_calls.py",
    "experiments/tests/test_engine_pipelines.py",
    "experiments/tests/test_engine_pipeline_runs.py",
    "experiments/tests/test_engine_pipeline_recovery.py::"
    "test_an_unknown_second_stage_model_fails_fast_naming_the_stage",
    # Pause and cancel stop stage calls in flight (their waiters too).
    "experiments/tests/test_engine_pipeline_steering.py",
    "experiments/tests/test_pipeline_surfaces.py::"
    "test_a_failed_run_counts_the_stage_calls_it_reached",
    "experiments/tests/test_pipeline_surfaces.py::"
    "test_run_detail_lists_the_stage_trace",
    "experiments/tests/test_pipeline_surfaces.py::"
    "test_a_stage_that_failed_before_its_call_reads_null",
]
# Guided search: the halving arithmetic's own tests first (no database),
# then searches on the small simulator world (no process is started).
GUIDED = [
    "experiments/tests/test_guided_asker.py",
    "experiments/tests/test_guided_schedule.py",
    "experiments/tests/test_guided_halving.py",
    "experiments/tests/test_guided_thompson.py",
    "experiments/tests/test_guided_validation.py",
    "experiments/tests/test_guided_search.py",
    "experiments/tests/test_guided_steering.py",
    "experiments/tests/test_guided_resume.py::"
    "test_a_stopped_guided_sweep_resumes_where_it_stopped",
]
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
    "experiments/spec/stages.py": [
        "experiments/tests/test_spec_stage_refs.py",
        "experiments/tests/test_spec_stages.py",
        "experiments/tests/test_spec_validator.py",
    ],
    "experiments/spec/templates.py": [
        "experiments/tests/test_spec_templates.py",
        "experiments/tests/test_spec_template_checks.py",
        "experiments/tests/test_spec_validator.py",
    ],
    "experiments/engine/pipeline.py": PIPELINE_ENGINE,
    "experiments/engine/stage_calls.py": PIPELINE_ENGINE,
    "experiments/engine/guided.py": GUIDED,
    "experiments/engine/asker.py": GUIDED,
    "experiments/engine/halving.py": GUIDED,
    "experiments/engine/thompson.py": GUIDED,
    "experiments/spec/halving.py": GUIDED,
    "experiments/analysis/stats.py": [
        # Its own (no database) first, then the analyses that feed it a sweep.
        "experiments/analysis/tests/test_stats.py",
        "experiments/analysis/tests/test_significance.py",
        "experiments/analysis/tests/test_leaderboard.py",
        "experiments/analysis/tests/test_pareto.py",
        "experiments/analysis/tests/test_marginals.py",
    ],
    # The vectorised bootstrap: its own tests compare it with stats' (test_stats).
    "experiments/analysis/resample.py": [
        "experiments/analysis/tests/test_resample.py",
        "experiments/analysis/tests/test_stats.py",
        "experiments/analysis/tests/test_leaderboard.py",
        "experiments/analysis/tests/test_significance.py",
        "experiments/analysis/tests/test_versus.py",
    ],
    "adapters/retry.py": ADAPTERS,
    "adapters/limits.py": ADAPTERS,
    "adapters/circuit.py": ADAPTERS,
}
