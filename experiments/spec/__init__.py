"""The experiment spec: one validator for the CLI, API, MCP and dashboard."""

from experiments.spec.errors import SpecError, SpecInvalid
from experiments.spec.loading import parse_spec_text
from experiments.spec.validator import SpecContext, SpecResult, validate_spec

__all__ = [
    "SpecContext",
    "SpecError",
    "SpecInvalid",
    "SpecResult",
    "parse_spec_text",
    "validate_spec",
]
