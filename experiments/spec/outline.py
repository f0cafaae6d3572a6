"""What a valid spec's stages are and how many calls its sweep makes, for the
validate response: each stage's prompts, models and param axes, and the stage
calls with and without sharing (a stage's call is made once per choice of the
stages so far, as ``StageCalls`` shares it, not once per run)."""

from __future__ import annotations

from experiments.spec.limits import planned_runs, stage_choices
from experiments.spec.stages import stages_of


def stage_outline(spec: dict) -> list[dict]:
    """Per stage, in order: its name, prompt names, models, the number of
    values of each param axis, and its choices (prompts x models x values)."""
    return [
        {
            "name": stage["name"],
            "prompts": [prompt["name"] for prompt in stage["prompts"]],
            "models": [
                {"endpoint": model["endpoint"], "model": model["model"]}
                for model in stage["models"]
            ],
            "params": {axis: len(values) for axis, values in stage["params"].items()},
            "choices": stage_choices(stage),
        }
        for stage in stages_of(spec)
    ]


def call_estimate(spec: dict, n_items: int) -> tuple[int, int]:
    """(unique calls, naive calls) of a sweep that completes. Naive: every
    run calls each of its stages. Unique: a stage is called once per item,
    sample and choice of the stages up to it, at most once per run (exact for
    a full grid; an upper bound when a budget leaves configs out)."""
    runs = planned_runs(spec, n_items)
    per_item = n_items * spec["samples"]
    unique, prefixes = 0, 1
    stages = stages_of(spec)
    for stage in stages:
        prefixes *= stage_choices(stage)
        unique += min(prefixes * per_item, runs)
    return unique, runs * len(stages)
