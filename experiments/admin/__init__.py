"""The admin is where users curate prompts and datasets and inspect sweeps."""

from experiments.admin import apikeys, datasets, experiments, projects, prompts, sweeps

__all__ = ["apikeys", "datasets", "experiments", "projects", "prompts", "sweeps"]
