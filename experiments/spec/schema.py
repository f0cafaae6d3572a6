"""The structure of a spec document, as JSON Schema (draft 2020-12).

Only shape lives here; rules that need more than shape (references, templates
against the dataset, one-of groups) are the ``validator`` package's.
"""

from __future__ import annotations

_NAME = {"type": "string", "minLength": 1, "maxLength": 100}
_POSITIVE_INT = {"type": "integer", "minimum": 1}
# A sweep's calls in flight at most: the spec, the API and the commands agree.
MAX_CONCURRENCY = 1024

ENDPOINT = {
    "type": "object",
    "required": ["name", "base_url"],
    "additionalProperties": False,
    "properties": {
        "name": _NAME,
        "base_url": {"type": "string", "pattern": r"^https?://[^/\s]+"},
        "kind": {"type": "string", "minLength": 1},
        "api_key_env": {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"},
        "max_concurrency": _POSITIVE_INT,
        "rpm": _POSITIVE_INT,
        "tpm": _POSITIVE_INT,
        "timeout_s": {"type": "number", "exclusiveMinimum": 0},
        "prices": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "input_per_mtok": {"type": "number", "minimum": 0},
                    "output_per_mtok": {"type": "number", "minimum": 0},
                },
            },
        },
    },
}

DATASET_ITEM = {
    "type": "object",
    "required": ["input"],
    "additionalProperties": False,
    "properties": {
        "input": {"type": "object"},
        "expected": {},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
}

MESSAGE = {
    "type": "object",
    "required": ["role", "content"],
    "additionalProperties": False,
    "properties": {
        "role": {"enum": ["system", "user", "assistant"]},
        "content": {"type": "string"},
    },
}

PROMPTS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["name"],
        "additionalProperties": False,
        "properties": {
            "name": _NAME,
            "description": {"type": "string"},
            "messages": {"type": "array", "items": MESSAGE, "minItems": 1},
            "template": {"type": "string"},
        },
    },
}

MODELS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["endpoint", "model"],
        "additionalProperties": False,
        "properties": {
            "endpoint": _NAME,
            "model": {"type": "string", "minLength": 1, "maxLength": 200},
        },
    },
}

SCORERS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"type": "string"}},
    },
}

# One stage of a pipeline: what a single-stage spec has at the top level. Its
# name is how later templates refer to it (``stages.<name>.output``), so it
# is an identifier.
STAGE = {
    "type": "object",
    "required": ["name", "prompts", "models"],
    "additionalProperties": False,
    "properties": {
        "name": {
            "type": "string",
            "maxLength": 100,
            "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$",
        },
        "prompts": PROMPTS,
        "models": MODELS,
        "params": {"type": "object"},
        "scorers": SCORERS,
    },
}

SPEC_SCHEMA = {
    "type": "object",
    "required": ["name", "dataset"],
    # The single-stage form needs prompts and models; a pipeline has stages
    # instead (using both forms is the validator's error, with a clear text).
    "if": {"not": {"required": ["stages"]}},
    "then": {"required": ["prompts", "models"]},
    "additionalProperties": False,
    "properties": {
        "version": {"const": 1},
        "name": _NAME,
        "project": _NAME,
        "description": {"type": "string"},
        "endpoints": {"type": "array", "items": ENDPOINT},
        "dataset": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "name": _NAME,
                "items": {"type": "array", "items": DATASET_ITEM, "minItems": 1},
                "file": {"type": "string", "minLength": 1},
                "limit": _POSITIVE_INT,
            },
        },
        "prompts": PROMPTS,
        "models": MODELS,
        "params": {"type": "object"},
        "stages": {"type": "array", "minItems": 1, "items": STAGE},
        "samples": {"type": "integer", "minimum": 1, "maximum": 1000},
        "scorers": SCORERS,
        "strategy": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "type": {"enum": ["grid", "random", "guided"]},
                "budget": _POSITIVE_INT,
                "seed": {"type": "integer"},
                "objectives": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"enum": ["score", "-cost", "-latency"]},
                },
                "halving": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "min_items": _POSITIVE_INT,
                        "eta": {"type": "integer", "minimum": 2, "maximum": 10},
                    },
                },
            },
        },
        "concurrency": {"type": "integer", "minimum": 1, "maximum": MAX_CONCURRENCY},
    },
}
