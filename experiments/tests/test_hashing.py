"""One SHA-256 of canonical JSON, in the two spellings the project stores."""

from __future__ import annotations

import hashlib
import json

from experiments.hashing import content_sha256, sha256_json
from experiments.models.datasets import item_hash
from experiments.models.prompts import messages_hash

VALUE = {"b": [1.0, "Zoë"], "a": {"y": 0.70, "x": None}}


def test_cache_keys_and_config_hashes_compare_numbers_by_value():
    assert sha256_json({"t": 1.0, "p": 0.70}) == sha256_json({"p": 0.7, "t": 1})
    assert sha256_json(VALUE) == sha256_json(json.loads(json.dumps(VALUE)))


def test_stored_content_hashes_keep_the_spelling_they_were_written_with():
    """Prompt versions and dataset items store these hashes: a new spelling
    would make every stored one differ from a fresh one."""
    written = json.dumps(VALUE, sort_keys=True, separators=(",", ":"))
    assert content_sha256(VALUE) == hashlib.sha256(written.encode()).hexdigest()
    assert messages_hash([VALUE]) == content_sha256([VALUE])
    assert item_hash({"q": "é"}, 1.0, ["t"]) == content_sha256([{"q": "é"}, 1.0, ["t"]])
    assert content_sha256({"n": 1.0}) != content_sha256({"n": 1})
