"""The admin is where users curate prompts and datasets and inspect sweeps."""

from experiments.admin import datasets, experiments, projects, prompts, sweeps

__all__ = ["datasets", "experiments", "projects", "prompts", "sweeps"]
