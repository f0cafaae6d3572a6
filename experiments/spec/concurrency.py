"""How many calls a sweep really keeps in flight to each endpoint.

Two settings cap it: the sweep's ``concurrency`` (all its calls together)
and each endpoint's ``max_concurrency`` (that endpoint's calls, across the
sweep). A spec with ``concurrency: 32`` against an endpoint left at 8 runs 8
calls at a time; the validator, the API and the sweep's plan say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

SWEEP_LIMIT = "sweep concurrency"
ENDPOINT_LIMIT = "endpoint max_concurrency"
DEFAULT_MAX_CONCURRENCY = 8  # an endpoint's, when nothing sets it


class InFlightCap(TypedDict):
    endpoint: str
    effective: int  # calls in flight to it at most
    limited_by: str  # SWEEP_LIMIT or ENDPOINT_LIMIT
    sweep_concurrency: int
    max_concurrency: int


def in_flight_caps(
    concurrency: int, endpoints: Mapping[str, Mapping]
) -> list[InFlightCap]:
    """Per endpoint (name -> its settings), by name: the effective cap and
    the setting that sets it. On a tie the sweep's concurrency is named: it
    is the one a user changes per sweep."""
    caps: list[InFlightCap] = []
    for name in sorted(endpoints):
        # The engine's limiter holds at least one slot whatever is stored.
        limit = max(
            1, endpoints[name].get("max_concurrency") or DEFAULT_MAX_CONCURRENCY
        )
        caps.append(
            {
                "endpoint": name,
                "effective": min(concurrency, limit),
                "limited_by": ENDPOINT_LIMIT if limit < concurrency else SWEEP_LIMIT,
                "sweep_concurrency": concurrency,
                "max_concurrency": limit,
            }
        )
    return caps


def describe(cap: InFlightCap) -> str:
    """One line for the command line."""
    sweep, endpoint = cap["sweep_concurrency"], cap["max_concurrency"]
    if cap["limited_by"] == ENDPOINT_LIMIT:
        why = f"the endpoint's max_concurrency {endpoint} (sweep concurrency {sweep})"
    else:
        why = f"the sweep's concurrency {sweep} (endpoint max_concurrency {endpoint})"
    name, most = cap["endpoint"], cap["effective"]
    return (
        f'concurrency: "{name}" gets at most {most} calls in flight, limited by {why}'
    )
