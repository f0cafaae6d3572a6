from __future__ import annotations

from typing import Any

import yaml

from experiments.spec.errors import SpecError, SpecInvalid


def parse_spec_text(text: str) -> Any:
    """Parse a YAML (or JSON, a subset of YAML) document; raise ``SpecInvalid``."""
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SpecInvalid(
            [SpecError("", f"not valid YAML{where}: {exc.problem}")]
        ) from None
    except yaml.YAMLError as exc:
        raise SpecInvalid([SpecError("", f"not valid YAML: {exc}")]) from None
