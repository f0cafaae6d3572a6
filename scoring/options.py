"""The options each built-in scorer type accepts, as JSON Schema.

The spec validator checks a spec's ``scorers`` entries against these before
anything runs; ``TEMPLATE_OPTIONS`` names the string options that are Jinja2
templates rendered per item (so their variables are checked too).
"""

from __future__ import annotations

_STR = {"type": "string"}
_TEMPLATE_LIST = {"type": "array", "items": _STR, "minItems": 1}
_NUMBER = {"type": "number"}

_CONTAINS = {
    "properties": {
        "value": _STR,
        "values": _TEMPLATE_LIST,
        "mode": {"enum": ["any", "all"]},
    },
    "oneOf_required": ["value", "values"],
}

SCORER_OPTIONS: dict[str, dict] = {
    "exact_match": {
        "properties": {
            "value": _STR,
            "field": _STR,
            "ignore_case": {"type": "boolean"},
            "strip": {"type": "boolean"},
        },
    },
    "contains": _CONTAINS,
    "icontains": _CONTAINS,
    "regex": {
        "properties": {
            "pattern": _STR,
            "flags": {"type": "string", "pattern": "^[imsx]*$"},
        },
        "required": ["pattern"],
    },
    "json_valid": {"properties": {}},
    "json_schema": {
        "properties": {"schema": {"type": "object"}},
        "required": ["schema"],
    },
    "json_f1": {
        "properties": {"field": _STR, "ignore_case": {"type": "boolean"}},
        "required": ["field"],
    },
    "similarity": {"properties": {"field": _STR, "value": _STR}},
    "length": {
        "properties": {
            "min": {"type": "integer", "minimum": 0},
            "max": {"type": "integer", "minimum": 0},
            "unit": {"enum": ["chars", "words"]},
        },
    },
    "latency": {
        "properties": {"max_ms": {**_NUMBER, "exclusiveMinimum": 0}},
        "required": ["max_ms"],
    },
    "cost": {
        "properties": {"max_usd": {**_NUMBER, "minimum": 0}},
        "required": ["max_usd"],
    },
    "llm_judge": {
        "properties": {
            "endpoint": _STR,
            "model": _STR,
            "rubric": _STR,
            "scale": {
                "type": "array",
                "items": _NUMBER,
                "minItems": 2,
                "maxItems": 2,
            },
            "params": {"type": "object"},
        },
        "required": ["endpoint", "model", "rubric"],
    },
}

# Options every scorer accepts.
COMMON_OPTIONS = {
    "type": _STR,
    "name": {"type": "string", "minLength": 1, "maxLength": 100},
    "weight": {"type": "number", "exclusiveMinimum": 0},
}

TEMPLATE_OPTIONS = ("value", "values", "pattern", "rubric")
