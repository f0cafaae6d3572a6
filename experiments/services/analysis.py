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
from typing import Any, Literal, NamedTuple

from django.core.cache import cache

from experiments.analysis import export
from experiments.analysis.compare import compare
from experiments.analysis.data import AnalysisParameterError, scorer_names
from experiments.analysis.versus import versus
from experiments.config_labels import row_label
from experiments.models import Sweep

Section = Literal["leaderboard", "pareto", "marginals", "heatmap"]
# Bump when the shape or the computation of an answer changes.
VERSION = 1
TIMEOUT_S = 24 * 3600


def cache_key(sweep: Sweep, section: str, options: dict[str, Any]) -> str:
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


def compare_configs(
    sweep: Sweep, configs: list[str], sample: int = 0, offset: int = 0, limit: int = 20
) -> dict:
    """2 to 4 of the sweep's configs side by side on the items they share,
    most disagreement first (``experiments.analysis.compare``). Raises
    ``AnalysisParameterError`` ("configs") for a wrong count or an unknown
    hash. Not cached: a page reads only its own items' outputs and scores."""
    return compare(sweep.runs.all(), configs, sample, offset, limit)


def compare_sweeps(a: Sweep, b: Sweep, scorer: str | None = None) -> dict:
    """Sweep ``b`` against the baseline ``a``: per shared config the delta,
    its interval and a verdict (``experiments.analysis.versus``), cached
    until either sweep moves on."""
    key = cache_key(a, "versus", {"b": cache_key(b, "versus", {}), "scorer": scorer})
    found = cache.get(key)
    if found is not None:
        return found
    result = versus(a, b, scorer)
    cache.set(key, result, TIMEOUT_S)
    return result


def leaderboard(sweep: Sweep, **options: Any) -> list[dict]:
    """The leaderboard rows as every surface shows them (the API, the CSV
    export, `runexperiment --json`): a single-stage row has ``stages`` and
    ``stage_usage`` too, empty, so the keys never depend on the surface."""
    rows = sweep_analysis(sweep, "leaderboard", **options)
    return [{"stages": [], "stage_usage": [], **row} for row in rows]


def leaderboard_csv(sweep: Sweep, **options: Any) -> str:
    """``leaderboard`` as CSV: nested fields flattened, a column per scorer."""
    return export.leaderboard_csv(
        leaderboard(sweep, **options), scorer_names(sweep.spec)
    )


def check_config(sweep: Sweep, config_hash: str) -> dict:
    """The config (a run's ``config``) of that hash; raises
    ``AnalysisParameterError`` ("config") when the sweep has no run of it."""
    config = (
        sweep.runs.filter(config_hash=config_hash)
        .values_list("config", flat=True)
        .first()
    )
    if config is None:
        raise AnalysisParameterError(
            "config", f'unknown config "{config_hash}": not a config of this sweep'
        )
    return config


class ConfigSpec(NamedTuple):
    name: str  # the spec's experiment name, and the file's
    text: str  # YAML


def config_spec(sweep: Sweep, config_hash: str | None = None) -> ConfigSpec:
    """A spec (YAML) that runs one config of the sweep alone: ``config_hash``,
    by default the leaderboard's best. Its name is the experiment's with the
    hash's start (a new experiment: the sweep's is left as it is). Raises
    ``AnalysisParameterError`` ("config") for a config the sweep does not
    have, or when it has none yet."""
    rows = leaderboard(sweep)
    if config_hash is None:
        if not rows:
            raise AnalysisParameterError("config", "the sweep has no configs yet")
        config_hash = rows[0]["config_hash"]
    config = check_config(sweep, config_hash)
    row = next((r for r in rows if r["config_hash"] == config_hash), None)
    experiment = sweep.spec.get("name") or sweep.experiment.name
    name = f"{experiment[:91]}-{config_hash[:8]}"
    label = row_label(row) if row else config_hash
    document = export.config_spec(
        sweep.spec,
        config,
        name,
        f"Config {config_hash[:12]} of sweep {sweep.pk} ({experiment}): {label}",
    )
    header = [
        f"Config {config_hash} of sweep {sweep.pk} ({experiment}),",
        f"rank {row['rank']}, score {row['score']} (n={row['n']})." if row else "",
        "Run this config alone: python manage.py runexperiment FILE",
    ]
    text = export.spec_yaml(document, [line for line in header if line])
    return ConfigSpec(name, text)
