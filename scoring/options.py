"""The options each scorer type accepts, as the spec validator needs them.

Derived from the registry (built-ins and ``settings.PROMPTLOOPER_SCORERS``),
so a custom scorer's options are validated like a built-in's. The classes'
``options`` attributes are the single source.
"""

from __future__ import annotations

from scoring.registry import scorer_classes

# Options every scorer accepts.
COMMON_OPTIONS = {
    "type": {"type": "string"},
    "name": {"type": "string", "minLength": 1, "maxLength": 100},
    "weight": {"type": "number", "exclusiveMinimum": 0},
}

# The built-ins' template options, for callers that predate per-type
# ``template_options`` in ``scorer_options()``.
TEMPLATE_OPTIONS = ("value", "values", "pattern", "rubric")


def scorer_options() -> dict[str, dict]:
    """type -> {"properties", "required", "oneOf_required", "template_options"}.

    ``properties`` are JSON Schema properties of the type's own options (the
    validator adds ``COMMON_OPTIONS``); ``oneOf_required`` lists options of
    which exactly one must be given (empty when there is no such group);
    ``template_options`` names the options rendered per item as Jinja2
    templates. Raises ``ImproperlyConfigured`` as ``scorer_classes`` does.
    """
    return {
        kind: {
            "properties": dict(cls.options),
            "required": list(cls.required),
            "oneOf_required": list(cls.one_of_required),
            "template_options": tuple(cls.template_options),
        }
        for kind, cls in scorer_classes().items()
    }
