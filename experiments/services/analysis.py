"""A sweep's analyses as the API serves them: computed by the ``RunQuerySet``
methods (``experiments.analysis``), kept in Django's cache until the sweep
moves on.

The key holds what changes the answer: the sweep (with its creation time, so
a reused id never meets an old entry), its status and its done, error and
cache-hit counters, the section and its parameters. A running sweep gets a
new key with every batch of runs it lands; a finished one keeps its entry.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from django.core.cache import cache

from experiments.models import Sweep

Section = Literal["leaderboard", "pareto", "marginals", "heatmap"]
# Bump when the shape or the computation of an answer changes.
VERSION = 1
TIMEOUT_S = 24 * 3600


def cache_key(sweep: Sweep, section: Section, options: dict[str, Any]) -> str:
    state = [
        *(sweep.pk, sweep.created_at.timestamp(), sweep.status),
        *(sweep.done, sweep.errors, sweep.cache_hits),
        *(section, sorted(options.items())),
    ]
    digest = hashlib.sha256(json.dumps(state, default=str).encode()).hexdigest()
    return f"analysis:{VERSION}:{sweep.pk}:{digest[:32]}"


def sweep_analysis(sweep: Sweep, section: Section, **options: Any) -> Any:
    """The ``section`` of the sweep's analysis with ``options`` (``scorer``,
    ``stage``, ``sample``; ``x`` and ``y`` for the heatmap), from the cache
    when the sweep has not changed since it was computed. Raises
    ``AnalysisParameterError`` for a scorer, stage or axis it does not have."""
    key = cache_key(sweep, section, options)
    found = cache.get(key)
    if found is not None:
        return found
    result = getattr(sweep.runs.all(), section)(**options)
    cache.set(key, result, TIMEOUT_S)
    return result
