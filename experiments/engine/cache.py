"""The response cache: keys, bulk lookups, stores (experiment-spec.md, "cache key").

The key is the SHA-256 of the canonical JSON of the adapter kind, the
normalised base URL, the model, the rendered messages, every parameter sent
and the sample index. Never the API key. Errors are never stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from experiments.models import CachedResponse
from experiments.models.projects import normalise_base_url


def _normalise(value: Any) -> Any:
    """Numbers compare by value: 1 == 1.0 and 0.7 == 0.70 give one key."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {str(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    return value


def canonical_json(value: Any) -> str:
    return json.dumps(
        _normalise(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def cache_key(adapter: str, base_url: str, body: dict, sample_index: int) -> str:
    """``body`` is the request body the adapter sends (model, messages, params)."""
    sent = {k: v for k, v in body.items() if k != "stream"}
    material = {
        "adapter": adapter,
        "base_url": normalise_base_url(base_url),
        "request": sent,
        "sample": sample_index,
    }
    return hashlib.sha256(canonical_json(material).encode()).hexdigest()


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


def store(rows: list[CachedResponse]) -> None:
    """Insert fresh responses; a key that exists is overwritten (``--no-cache``
    runs refresh entries rather than fail on them)."""
    if not rows:
        return
    unique = {(row.scope, row.key): row for row in rows}
    CachedResponse.objects.bulk_create(
        list(unique.values()),
        batch_size=500,
        update_conflicts=True,
        unique_fields=["scope", "key"],
        update_fields=[
            "response",
            "request",
            "prompt_tokens",
            "completion_tokens",
            "cost",
            "latency_ms",
            "created_at",
        ],
    )
