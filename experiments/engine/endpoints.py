"""The endpoints a sweep calls: snapshotted when it is created, resolved
(keys included) once when a runner loads it.

A sweep runs what its spec said when it was started. The settings of each
endpoint it uses (the spec's inline definition, else the project's stored
endpoint) are copied onto the sweep, so editing an endpoint later, or another
experiment's spec, changes nothing for it. Keys are never copied: the
snapshot keeps the id of the stored row holding the encrypted key, or the
name of the environment variable, and the key is read at run time.
"""

from __future__ import annotations

from adapters.base import EndpointConfig
from adapters.endpoint_policy import EndpointRefused, check_endpoint
from adapters.urls import normalise_base_url
from experiments.models import Endpoint, Experiment, Sweep
from experiments.spec.stages import all_scorers

SETTINGS = Endpoint.SETTINGS_FIELDS


def used_names(spec: dict) -> set[str]:
    """Endpoints a spec calls: its models' and its llm_judge scorers'."""
    return {m["endpoint"] for m in spec["models"]} | {
        s["endpoint"] for s in all_scorers(spec) if s["type"] == "llm_judge"
    }


def snapshot(experiment: Experiment, spec: dict) -> dict[str, dict]:
    """name -> settings (and ``endpoint_id``) of every endpoint ``spec`` uses."""
    names = used_names(spec)
    stored = {
        e.name: e
        for e in Endpoint.objects.filter(project=experiment.project, name__in=names)
    }
    inline = {e["name"]: e for e in spec.get("endpoints", []) if e["name"] in names}
    result = {}
    for name in sorted(names):
        row = stored.get(name)
        source = inline.get(name)
        if source is not None:
            settings = {key: source.get(key) for key in SETTINGS}
        elif row is not None:
            settings = {key: getattr(row, key) for key in SETTINGS}
        else:
            continue  # unknown endpoint: the runner fails its runs clearly
        settings["base_url"] = normalise_base_url(settings["base_url"])
        settings["prices"] = settings.get("prices") or {}
        result[name] = {**settings, "endpoint_id": row.pk if row else None}
    return result


def resolve(sweep: Sweep) -> dict[str, EndpointConfig]:
    """The sweep's endpoints, ready to call (keys decrypted or read from the
    environment). Raises ``EndpointRefused`` when the operator's settings now
    forbid one, or when its stored key belongs to another URL."""
    if not sweep.endpoints:
        return _from_rows(sweep)  # a sweep created before snapshots existed
    ids = [s["endpoint_id"] for s in sweep.endpoints.values() if s["endpoint_id"]]
    rows = {e.pk: e for e in Endpoint.objects.filter(pk__in=ids)}
    configs = {}
    for name, settings in sweep.endpoints.items():
        check_endpoint(name, settings["base_url"], settings["api_key_env"])
        row = rows.get(settings["endpoint_id"])
        configs[name] = _config(name, settings, _key(name, settings, row))
    return configs


def _key(name: str, settings: dict, row: Endpoint | None) -> str:
    if row is not None and row.api_key:
        # The stored key goes only to the URL it was stored with.
        if normalise_base_url(row.base_url) != settings["base_url"]:
            raise EndpointRefused(
                f'endpoint "{name}": its stored API key is for '
                f"{row.base_url}, but this sweep calls {settings['base_url']}; "
                "submit the experiment's spec again with the endpoint's current "
                "settings and start a new sweep"
            )
        return row.api_key
    if settings["api_key_env"]:
        probe = Endpoint(name=name, api_key_env=settings["api_key_env"])
        return probe.resolved_api_key()  # the operator's allow-list applies
    return ""


def _config(name: str, settings: dict, api_key: str) -> EndpointConfig:
    return EndpointConfig(
        name=name,
        base_url=settings["base_url"],
        kind=settings["kind"],
        api_key=api_key,
        max_concurrency=settings["max_concurrency"],
        rpm=settings["rpm"],
        tpm=settings["tpm"],
        timeout_s=settings["timeout_s"],
        prices=settings["prices"] or {},
    )


def _from_rows(sweep: Sweep) -> dict[str, EndpointConfig]:
    spec = sweep.spec or sweep.experiment.spec
    stored = Endpoint.objects.filter(
        project_id=sweep.experiment.project_id, name__in=used_names(spec)
    )
    configs = {}
    for endpoint in stored:
        endpoint.check_allowed()  # settings may have tightened since it was saved
        settings = {key: getattr(endpoint, key) for key in SETTINGS}
        configs[endpoint.name] = _config(
            endpoint.name, settings, endpoint.resolved_api_key()
        )
    return configs
