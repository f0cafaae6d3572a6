"""Domain operations. Admin, commands, tasks, API and MCP all call these."""

from experiments.services.datasets import import_items, replace_items
from experiments.services.experiments import (
    create_experiment,
    spec_context,
    validate_experiment_spec,
)
from experiments.services.projects import ensure_project, require_role
from experiments.services.prompts import add_prompt_version

__all__ = [
    "add_prompt_version",
    "create_experiment",
    "ensure_project",
    "import_items",
    "replace_items",
    "require_role",
    "spec_context",
    "validate_experiment_spec",
]
