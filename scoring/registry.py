"""Which scorer class handles each spec ``type``.

Built-ins are named by dotted path and imported on first use; custom scorers
come from ``settings.PROMPTLOOPER_SCORERS`` (dotted paths of ``BaseScorer``
subclasses, each registered under its ``type``). A misconfiguration raises
``ImproperlyConfigured`` naming the culprit the first time the registry is
read (validating a spec, starting a sweep).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from scoring.base import BaseScorer

BUILTIN_SCORERS: dict[str, str] = {
    "exact_match": "scoring.builtins.ExactMatchScorer",
    "contains": "scoring.builtins.ContainsScorer",
    "icontains": "scoring.builtins.IContainsScorer",
    "regex": "scoring.builtins.RegexScorer",
    "json_valid": "scoring.builtins_json.JsonValidScorer",
    "json_schema": "scoring.builtins_json.JsonSchemaScorer",
    "json_f1": "scoring.builtins_json.JsonF1Scorer",
    "similarity": "scoring.builtins.SimilarityScorer",
    "length": "scoring.builtins.LengthScorer",
    "latency": "scoring.builtins.LatencyScorer",
    "cost": "scoring.builtins.CostScorer",
    "llm_judge": "scoring.judge.LlmJudgeScorer",
}
# Keys of a normalised spec entry that are not the scorer's own options.
COMMON_KEYS = ("type", "name", "weight")


@cache
def scorer_classes() -> dict[str, type[BaseScorer]]:
    """Every scorer class by type, built-ins first. Cached; call
    ``scorer_classes.cache_clear()`` after changing the setting (done
    automatically for ``override_settings`` and pytest-django's ``settings``).
    Raises ``ImproperlyConfigured`` for a bad custom path, a class that is
    not a ``BaseScorer`` with a ``type``, or a type that is already taken."""
    classes = {kind: import_string(path) for kind, path in BUILTIN_SCORERS.items()}
    # Settings may be unconfigured when the validator is used as a library.
    custom = (
        getattr(settings, "PROMPTLOOPER_SCORERS", []) if settings.configured else []
    )
    for path in custom:
        cls = _import_custom(path)
        if cls.type in BUILTIN_SCORERS:
            raise ImproperlyConfigured(
                f'PROMPTLOOPER_SCORERS: {path} has type "{cls.type}", which is a '
                "built-in scorer; choose another type"
            )
        if cls.type in classes:
            raise ImproperlyConfigured(
                f'PROMPTLOOPER_SCORERS: {path} has type "{cls.type}", already '
                f"registered by {_dotted(classes[cls.type])}"
            )
        classes[cls.type] = cls
    return classes


def _import_custom(path: Any) -> type[BaseScorer]:
    try:
        cls = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"PROMPTLOOPER_SCORERS: cannot import {path!r}: {exc}"
        ) from exc
    except Exception as exc:  # a scorer module that fails at import time
        raise ImproperlyConfigured(
            f"PROMPTLOOPER_SCORERS: importing {path!r} failed: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    if not (isinstance(cls, type) and issubclass(cls, BaseScorer)):
        raise ImproperlyConfigured(
            f"PROMPTLOOPER_SCORERS: {path} is not a subclass of scoring.base.BaseScorer"
        )
    if not isinstance(cls.type, str) or not cls.type:
        raise ImproperlyConfigured(f"PROMPTLOOPER_SCORERS: {path} does not set `type`")
    return cls


def _dotted(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "PROMPTLOOPER_SCORERS":
        scorer_classes.cache_clear()


def get_scorer_class(kind: str) -> type[BaseScorer]:
    """The class for ``kind``; ``KeyError`` listing the known types if none."""
    classes = scorer_classes()
    try:
        return classes[kind]
    except KeyError:
        raise KeyError(
            f'unknown scorer "{kind}"; known: {", ".join(sorted(classes))}'
        ) from None


def build_scorers(spec_scorers: list[dict]) -> list[tuple[str, float, BaseScorer]]:
    """(name, weight, instance) for each entry of a normalised spec's
    ``scorers`` (``{type, name, weight, ...options}``), in order; the
    options other than type/name/weight become the constructor's kwargs.
    Entries are expected to be validated already: an unknown type raises
    ``KeyError``."""
    built = []
    for entry in spec_scorers:
        cls = get_scorer_class(entry["type"])
        options = {k: v for k, v in entry.items() if k not in COMMON_KEYS}
        name = entry.get("name") or entry["type"]
        built.append((name, float(entry.get("weight", 1.0)), cls(**options)))
    return built


def describe_scorers() -> list[dict]:
    """One entry per scorer type, sorted by type, for listings (API, docs):
    type, description (the docstring's first line), options (JSON Schema
    properties), required, one_of_required, template_options, builtin."""
    return [
        {
            "type": kind,
            "description": _first_line(cls.__doc__),
            "options": cls.options,
            "required": list(cls.required),
            "one_of_required": list(cls.one_of_required),
            "template_options": list(cls.template_options),
            "builtin": kind in BUILTIN_SCORERS,
        }
        for kind, cls in sorted(scorer_classes().items())
    ]


def _first_line(doc: str | None) -> str:
    # A docstring's first sentence often wraps; join its first paragraph.
    paragraph = (doc or "").strip().split("\n\n")[0]
    return " ".join(paragraph.split())
