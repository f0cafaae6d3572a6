"""Spec errors and their field paths (``prompts[1].messages[0].content``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

_JSON_TYPES = {
    dict: "an object",
    list: "a list",
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    type(None): "null",
}
_TYPE_NAMES = {
    "object": "an object",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
}


@dataclass(frozen=True, order=True)
class SpecError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(document)'}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class SpecInvalid(ValueError):
    """Raised by services when a spec does not validate; carries every error."""

    def __init__(self, errors: list[SpecError]):
        self.errors = errors
        super().__init__("; ".join(map(str, errors)))


def format_path(parts: Iterable[Any], prefix: str = "") -> str:
    path = prefix
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def schema_errors(
    validator: Draft202012Validator, instance: Any, prefix: str = ""
) -> list[SpecError]:
    # One `required` failure per missing key, each listing all keys: dedupe.
    found = [
        error
        for raw in validator.iter_errors(instance)
        for error in _translate(raw, prefix)
    ]
    return list(dict.fromkeys(found))


def _describe(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _translate(error: ValidationError, prefix: str) -> list[SpecError]:
    """jsonschema's messages quote whole values; say what is wrong instead."""
    path = format_path(error.absolute_path, prefix)
    kind, expected = error.validator, error.validator_value
    if kind == "required":
        missing = [k for k in expected if k not in error.instance]
        return [
            SpecError(format_path([k], path), "required field is missing")
            for k in missing
        ]
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        hint = f" (allowed: {', '.join(allowed)})" if allowed else ""
        return [
            SpecError(format_path([k], path), f"unknown field{hint}") for k in extra
        ]
    if kind == "type":
        return [
            SpecError(
                path,
                f"must be {_TYPE_NAMES.get(expected, expected)}, "
                f"got {_describe(error.instance)}",
            )
        ]
    if kind in ("enum", "const"):
        options = expected if kind == "enum" else [expected]
        listed = ", ".join("null" if o is None else str(o) for o in options)
        return [SpecError(path, f"must be one of: {listed}")]
    if kind == "minItems":
        return [
            SpecError(path, f"needs at least {expected} item{'s' * (expected > 1)}")
        ]
    if kind == "maxItems":
        return [SpecError(path, f"takes at most {expected} items")]
    if kind == "minLength":
        return [SpecError(path, "must not be empty")]
    if kind == "maxLength":
        return [SpecError(path, f"is longer than {expected} characters")]
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        sign = {
            "minimum": ">=",
            "exclusiveMinimum": ">",
            "maximum": "<=",
            "exclusiveMaximum": "<",
        }[kind]
        return [SpecError(path, f"must be {sign} {expected}")]
    if kind == "pattern":
        return [
            SpecError(
                path,
                _PATTERN_MESSAGES.get(
                    path.rsplit(".", 1)[-1], f"does not match {expected}"
                ),
            )
        ]
    return [SpecError(path, error.message)]


_PATTERN_MESSAGES = {
    # Only a stage's name has a pattern: templates refer to it by name.
    "name": "a stage name is letters, digits and _, not starting with a digit",
    "base_url": "must be an http:// or https:// URL",
    "api_key_env": "must be an environment variable name (letters, digits, _)",
    "flags": "regex flags are a combination of i, m, s, x",
}
