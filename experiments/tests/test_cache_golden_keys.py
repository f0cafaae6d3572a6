"""Golden cache keys: the derivation is fixed, per adapter kind.

Stored ``CachedResponse`` rows are found by these keys. If a test here fails,
the key derivation changed and every stored entry would be orphaned after an
upgrade (silently: runs would just call again). Such a change needs a data
migration of stored keys, or a documented purge in the release notes; only
then update the values below.
"""

from __future__ import annotations

import pytest

from adapters.registry import ADAPTERS
from experiments.engine.cache import cache_key

BODY = {
    "model": "llama-3.1-8b",
    "messages": [
        {"role": "system", "content": "Extract names."},
        {"role": "user", "content": "Ada met Charles."},
    ],
    "temperature": 0.7,
    "max_tokens": 256,
    "response_format": {"type": "json_object"},
    "stream": False,
}
BASE = "http://127.0.0.1:8499/v1"

# (adapter kind, base URL, body, sample index) -> the key stored since 0.1.
GOLDEN = {
    "openai": [
        (
            BASE,
            BODY,
            0,
            "50ede8197d73f0a727fd122a1d5432b5f39db3902d50b856f08e8a70a1b4a779",
        ),
        (
            BASE,
            BODY,
            1,
            "417f65d2cce4eb4e964e8fc27a1473f7dabe7d901a05075a768888939644df49",
        ),
        (
            "https://example.test/v1?api-version=2024-06-01",
            {"model": "m", "messages": [{"role": "user", "content": "héllo"}]},
            0,
            "82555e351136e2ee45799e0f9584329c7bd94941070288efcd96d8865227607b",
        ),
    ],
}


def test_every_adapter_kind_has_golden_keys():
    # A new adapter kind gets its golden keys when it lands.
    assert set(GOLDEN) == set(ADAPTERS)


@pytest.mark.parametrize(
    ("adapter", "base_url", "body", "sample", "expected"),
    [(kind, *case) for kind, cases in GOLDEN.items() for case in cases],
)
def test_the_key_derivation_is_unchanged(adapter, base_url, body, sample, expected):
    assert cache_key(adapter, base_url, body, sample) == expected


def test_the_key_spells_the_base_url_one_way():
    spelled = "  HTTP://127.0.0.1:8499/v1/  "
    assert cache_key("openai", spelled, BODY, 0) == GOLDEN["openai"][0][3]


def test_the_adapter_kind_is_part_of_the_key():
    assert cache_key("other", BASE, BODY, 0) != GOLDEN["openai"][0][3]
