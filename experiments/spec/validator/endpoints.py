"""The spec's endpoints: known adapter kinds, the operator's endpoint policy,
no secrets, and no moving an endpoint stored under the same name."""

from __future__ import annotations

import json
from collections.abc import Mapping

from adapters.endpoint_policy import base_url_problem, key_env_problem
from adapters.registry import ADAPTERS
from experiments.spec.validator.base import Checker, as_list, canonical

ENDPOINT_DEFAULTS = {
    "kind": "openai",
    "api_key_env": "",
    "max_concurrency": 8,
    "rpm": None,
    "tpm": None,
    "timeout_s": 60.0,
    "prices": {},
}
# What makes an endpoint the one stored under its name (same_as_stored).
_ENDPOINT_IDENTITY = ("kind", "base_url", "api_key_env")


def endpoints(check: Checker) -> list[dict]:
    """The endpoints, each over the stored one of its name and the defaults."""
    result, seen = [], set()
    for i, entry in enumerate(as_list(check.doc.get("endpoints"))):
        if not isinstance(entry, dict):
            continue
        if "api_key" in entry:
            # The schema's "unknown field" would not say why, nor what to do.
            check.errors[:] = [
                e for e in check.errors if e.path != f"endpoints[{i}].api_key"
            ]
            check.error(
                f"endpoints[{i}].api_key",
                "secrets are never written in a spec; use api_key_env or store "
                "the key on the endpoint in the admin or API",
            )
        kind = entry.get("kind", ENDPOINT_DEFAULTS["kind"])
        if isinstance(kind, str) and kind not in ADAPTERS:
            check.error(
                f"endpoints[{i}].kind",
                f'unknown adapter kind "{kind}"; known: ' + ", ".join(sorted(ADAPTERS)),
            )
        endpoint_policy(check, i, entry)
        name = entry.get("name")
        if isinstance(name, str) and canonical(name) in seen:
            check.error(f"endpoints[{i}].name", f'duplicate endpoint name "{name}"')
        seen.add(canonical(name))
        stored = check.context.endpoints.get(name) if isinstance(name, str) else None
        if stored is not None:
            same_as_stored(check, i, entry, stored)
        result.append({**ENDPOINT_DEFAULTS, **(stored or {}), **entry})
    return result


def same_as_stored(check: Checker, i: int, entry: dict, stored: Mapping) -> None:
    """A spec never changes a stored endpoint: other experiments and
    their sweeps use it too. Where it is (kind, base_url, api_key_env)
    must match the stored one's; limits and prices may differ and then
    apply to this experiment's sweeps only. Settings the spec leaves out
    are the stored ones."""
    from adapters.urls import normalise_base_url

    reported = {e.path for e in check.errors}  # one bad field, one error
    for key, given in entry.items():
        path = f"endpoints[{i}].{key}"
        if key not in _ENDPOINT_IDENTITY or key not in stored or path in reported:
            continue
        have = stored[key]
        if key == "base_url" and isinstance(given, str):
            given, have = normalise_base_url(given), normalise_base_url(have)
        if given != have:
            check.error(
                path,
                f'endpoint "{entry["name"]}" is stored in project "{check.project}" '
                f"with {key} {json.dumps(have)}, not {json.dumps(given)}; a "
                "spec cannot move a stored endpoint: leave the setting out "
                "to use the stored one, give this endpoint another name, or "
                "change the stored endpoint in the admin or the API",
            )


def endpoint_policy(check: Checker, i: int, entry: dict) -> None:
    """What the operator allows endpoints (adapters/endpoint_policy.py)."""
    paths = {e.path for e in check.errors}
    for key, problem_of in (
        ("base_url", base_url_problem),
        ("api_key_env", key_env_problem),
    ):
        path, value = f"endpoints[{i}].{key}", entry.get(key)
        if isinstance(value, str) and path not in paths:
            problem = problem_of(value)
            if problem:
                check.error(path, problem)
