"""The request parameters PromptLooper knows, each with its allowed values.

One table, used by the validator for every value of every axis, so that
``temperature: hot`` is refused before a call is made. Parameters not listed
here are sent as written: servers have extensions (``top_k``, ``min_p``,
``repeat_penalty``, ...) that only they know.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.validators import extend


def _is_integer(checker, instance: Any) -> bool:
    # A JSON integer, not 1.0 and not a boolean: servers refuse both.
    return isinstance(instance, int) and not isinstance(instance, bool)


_Validator = extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)


@dataclass(frozen=True)
class Param:
    schema: dict
    expects: str  # "must be <expects>, got ..."

    def accepts(self, value: Any) -> bool:
        return _Validator(self.schema).is_valid(value)


def _number(low: float, high: float) -> Param:
    return Param(
        {"type": "number", "minimum": low, "maximum": high},
        f"a number between {low:g} and {high:g}",
    )


_STRINGS = {"type": "array", "items": {"type": "string"}, "maxItems": 4}

KNOWN_PARAMS: dict[str, Param] = {
    "temperature": _number(0, 2),
    "top_p": _number(0, 1),
    "presence_penalty": _number(-2, 2),
    "frequency_penalty": _number(-2, 2),
    "max_tokens": Param({"type": "integer", "minimum": 1}, "a positive integer"),
    "max_completion_tokens": Param(
        {"type": "integer", "minimum": 1}, "a positive integer"
    ),
    "seed": Param({"type": "integer"}, "an integer"),
    "stop": Param(
        {"anyOf": [{"type": "string"}, _STRINGS]},
        "a string or a list of up to 4 strings",
    ),
    # Only the first choice is read and scored, and servers differ in whether
    # usage covers every choice: repeat a config with `samples` instead.
    "n": Param(
        {"const": 1},
        "1 (only the first choice is scored; use the spec's `samples: N` "
        "for N answers per item)",
    ),
    "logprobs": Param({"type": "boolean"}, "true or false"),
    "top_logprobs": Param(
        {"type": "integer", "minimum": 0, "maximum": 20},
        "an integer between 0 and 20",
    ),
    "response_format": Param(
        {
            "type": "object",
            "required": ["type"],
            "properties": {"type": {"type": "string"}},
        },
        'an object with a "type" (e.g. {"type": "json_object"})',
    ),
    "logit_bias": Param(
        {"type": "object", "additionalProperties": {"type": "number"}},
        "an object of token id: number",
    ),
    "user": Param({"type": "string"}, "a string"),
}


def param_problem(name: str, value: Any) -> str | None:
    """Why ``value`` is not allowed for the known parameter ``name``, or None
    (unknown parameters are allowed as they are)."""
    param = KNOWN_PARAMS.get(name)
    if param is None or param.accepts(value):
        return None
    return f"must be {param.expects}, got {value!r}"
