"""Cache keys: equal for equal requests, different when anything sent differs."""

from __future__ import annotations

import copy

from hypothesis import given
from hypothesis import strategies as st

from experiments.engine.cache import cache_key

BODY = {
    "model": "m",
    "messages": [{"role": "user", "content": "Ada met Charles."}],
    "temperature": 0.7,
    "max_tokens": 256,
    "response_format": {"type": "json_object"},
}
BASE = "http://127.0.0.1:8499/v1"


def key(body=BODY, base=BASE, sample=0, adapter="openai"):
    return cache_key(adapter, base, body, sample)


def _reordered(value):
    if isinstance(value, dict):
        return {k: _reordered(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reordered(v) for v in value]
    return value


def test_key_order_and_number_spelling_do_not_matter():
    same = {**_reordered(BODY), "temperature": 0.70, "max_tokens": 256.0}
    assert key(same) == key()


def test_base_url_is_normalised_and_stream_ignored():
    assert key(base="HTTP://127.0.0.1:8499/v1/") == key()
    assert key({**BODY, "stream": True}) == key()


def test_api_key_is_never_part_of_the_key():
    # The adapter never puts the key in the body; the key function has no
    # parameter for it, so two endpoints differing only by key share entries.
    assert "api_key" not in cache_key.__code__.co_varnames


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(-2, 2)
    | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=6,
)


@given(st.text(min_size=1, max_size=8), _JSON)
def test_any_sent_parameter_change_changes_the_key(name, value):
    body = copy.deepcopy(BODY)
    if name in ("model", "messages", "stream"):
        return
    changed = {**body, name: value}
    if name in body and changed[name] == body[name]:
        return
    assert key(changed) != key()


@given(st.text(max_size=20))
def test_any_message_change_changes_the_key(text):
    changed = copy.deepcopy(BODY)
    changed["messages"][0]["content"] = text
    assert (key(changed) == key()) == (text == BODY["messages"][0]["content"])


@given(st.integers(1, 50))
def test_sample_index_model_endpoint_and_adapter_each_change_the_key(sample):
    assert key(sample=sample) != key()
    assert key({**BODY, "model": "other"}) != key()
    assert key(base="http://127.0.0.1:8500/v1") != key()
    assert key(adapter="other") != key()
