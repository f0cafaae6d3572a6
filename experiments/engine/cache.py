"""The response cache: keys, bulk lookups, stores (experiment-spec.md, "cache key").

The key is the SHA-256 of the canonical JSON of the adapter kind, the
normalised base URL, the model, the rendered messages, every parameter sent
and the sample index. Never the API key. Errors are never stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from adapters.urls import normalise_base_url
from experiments.engine import bulk
from experiments.hashing import sha256_json
from experiments.models import CachedResponse


def cache_key(adapter: str, base_url: str, body: dict, sample_index: int) -> str:
    """``body`` is the request body the adapter sends (model, messages, params)."""
    sent = {k: v for k, v in body.items() if k != "stream"}
    material = {
        "adapter": adapter,
        "base_url": normalise_base_url(base_url),
        "request": sent,
        "sample": sample_index,
    }
    return sha256_json(material)


def cache_scope(project_id: int) -> str:
    return "global" if settings.CACHE_SCOPE == "global" else f"project:{project_id}"


def lookup(scope: str, keys: Iterable[str]) -> dict[str, CachedResponse]:
    """One query for a whole batch of keys."""
    keys = list(set(keys))
    if not keys:
        return {}
    rows = CachedResponse.objects.filter(scope=scope, key__in=keys)
    return {row.key: row for row in rows}


def record_hits(hits: dict[int, int]) -> None:
    """``hits`` maps cached-response ids to how many runs they served."""
    now = timezone.now()
    by_count: dict[int, list[int]] = {}
    for pk, count in hits.items():
        by_count.setdefault(count, []).append(pk)
    for count, pks in by_count.items():
        CachedResponse.objects.filter(pk__in=pks).update(
            hit_count=F("hit_count") + count, last_hit_at=now
        )


def record_key_hits(hits: dict[tuple[str, str], int]) -> None:
    """``hits`` maps (scope, key) to how many runs the entry served."""
    now = timezone.now()
    by_count: dict[tuple[str, int], list[str]] = {}
    for (scope, key), count in hits.items():
        by_count.setdefault((scope, count), []).append(key)
    for (scope, count), keys in by_count.items():
        CachedResponse.objects.filter(scope=scope, key__in=keys).update(
            hit_count=F("hit_count") + count, last_hit_at=now
        )


class Entry(NamedTuple):
    """A fresh response to store (CachedResponse's fields, in this order)."""

    scope: str
    key: str
    project_id: int | None
    adapter: str
    endpoint_url: str
    model: str
    request: dict
    response: dict
    prompt_tokens: int | None
    completion_tokens: int | None
    cost: float | None
    latency_ms: float | None


_REFRESHED = [
    "response",
    "request",
    "prompt_tokens",
    "completion_tokens",
    "cost",
    "latency_ms",
    "created_at",
]


def store(entries: Iterable[Entry]) -> None:
    """Insert fresh responses; a key that exists is overwritten (``--no-cache``
    runs refresh entries rather than fail on them)."""
    unique = {(entry.scope, entry.key): entry for entry in entries}
    now = timezone.now()
    bulk.insert(
        CachedResponse,
        [*Entry._fields, "created_at", "hit_count", "last_hit_at"],
        ((*entry, now, 0, None) for entry in unique.values()),
        unique=["scope", "key"],
        update=_REFRESHED,
    )
