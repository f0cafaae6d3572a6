"""A spec's endpoints: the defaults, the adapter kind, the operator's policy,
no secrets, and a stored endpoint of the same name, which a spec uses but
never moves."""

from __future__ import annotations

from experiments.spec import SpecContext, validate_spec
from experiments.tests.factories import spec_doc

URL = "http://127.0.0.1:8499/v1"
PRICE = {"input_per_mtok": 1.0, "output_per_mtok": 2.0}


def stored(**settings) -> SpecContext:
    """An endpoint "local" stored in the project, at the spec's URL."""
    row = {"kind": "openai", "base_url": URL, "api_key_env": "", **settings}
    return SpecContext(endpoints={"local": row})


def errors_at(doc, context=None) -> dict[str, list[str]]:
    result = validate_spec(doc, context)
    assert not result.ok, "expected the spec to be invalid"
    found: dict[str, list[str]] = {}
    for error in result.errors:
        found.setdefault(error.path, []).append(error.message)
    return found


def test_an_endpoint_left_to_its_defaults():
    (endpoint,) = validate_spec(spec_doc()).spec["endpoints"]
    assert endpoint == {
        "name": "local",
        "base_url": URL,
        "kind": "openai",
        "api_key_env": "",
        "max_concurrency": 8,
        "rpm": None,
        "tpm": None,
        "timeout_s": 60.0,
        "prices": {},
    }


def test_an_unknown_adapter_kind_lists_the_known_ones():
    doc = spec_doc()
    doc["endpoints"][0]["kind"] = "anthropic"
    assert errors_at(doc) == {
        "endpoints[0].kind": ['unknown adapter kind "anthropic"; known: openai']
    }


def test_an_inline_key_gets_one_error_saying_where_keys_go():
    doc = spec_doc(samples=0)  # and an unrelated error, which stays
    doc["endpoints"][0]["api_key"] = "sk-secret"
    errors = errors_at(doc)
    assert set(errors) == {"endpoints[0].api_key", "samples"}
    (message,) = errors["endpoints[0].api_key"]  # not also "unknown field"
    assert message.startswith("secrets are never written in a spec")


def test_credentials_in_the_base_url_are_refused_at_the_url():
    doc = spec_doc()
    doc["endpoints"][0]["base_url"] = "http://user:pw@127.0.0.1:8499/v1"
    (message,) = errors_at(doc)["endpoints[0].base_url"]
    assert message.startswith("must not contain a user name or password")


def test_a_settings_variable_is_refused_as_a_key_variable():
    doc = spec_doc()
    doc["endpoints"][0]["api_key_env"] = "PROMPTLOOPER_SECRET_KEY"
    (message,) = errors_at(doc)["endpoints[0].api_key_env"]
    assert "one of PromptLooper's own settings" in message


def test_a_malformed_url_gets_the_schemas_error_only():
    doc = spec_doc()
    doc["endpoints"][0]["base_url"] = "ftp://user:pw@host/v1"
    assert errors_at(doc) == {
        "endpoints[0].base_url": ["must be an http:// or https:// URL"]
    }


def test_a_stored_endpoint_fills_in_what_the_spec_leaves_out():
    context = stored(max_concurrency=2, rpm=60, prices={"m1": PRICE})
    doc = spec_doc()
    doc["endpoints"][0]["max_concurrency"] = 3  # this experiment's own
    result = validate_spec(doc, context)
    assert result.ok, result.errors
    (endpoint,) = result.spec["endpoints"]
    assert (endpoint["max_concurrency"], endpoint["rpm"]) == (3, 60)
    assert endpoint["prices"] == {"m1": PRICE}
    assert result.unpriced_models == ["local/m2"]


def test_the_same_url_spelled_differently_is_the_stored_one():
    doc = spec_doc()
    doc["endpoints"][0]["base_url"] = URL + "/"
    assert validate_spec(doc, stored()).ok


def test_a_spec_cannot_move_a_stored_endpoint():
    doc = spec_doc()
    doc["endpoints"][0]["base_url"] = "http://127.0.0.1:9999/v1"
    doc["endpoints"][0]["api_key_env"] = "PROMPTLOOPER_KEY_OTHER"
    errors = errors_at(doc, stored(api_key_env="PROMPTLOOPER_KEY_LOCAL"))
    assert set(errors) == {"endpoints[0].base_url", "endpoints[0].api_key_env"}
    (moved,) = errors["endpoints[0].base_url"]
    assert moved.startswith(
        f'endpoint "local" is stored in project "acme" with base_url "{URL}", '
        'not "http://127.0.0.1:9999/v1"; a spec cannot move a stored endpoint'
    )
    (key,) = errors["endpoints[0].api_key_env"]
    assert 'with api_key_env "PROMPTLOOPER_KEY_LOCAL", not "PROMPTLOOPER_KEY_O' in key


def test_a_setting_the_stored_endpoint_lacks_is_the_specs():
    row = {"base_url": URL}  # stored before kinds and key variables existed
    doc = spec_doc()
    doc["endpoints"][0]["api_key_env"] = "PROMPTLOOPER_KEY_LOCAL"
    result = validate_spec(doc, SpecContext(endpoints={"local": row}))
    assert result.ok, result.errors
    assert result.spec["endpoints"][0]["api_key_env"] == "PROMPTLOOPER_KEY_LOCAL"


def test_a_bad_setting_of_a_stored_endpoint_gets_one_error():
    doc = spec_doc()
    doc["endpoints"][0]["kind"] = 5
    assert errors_at(doc, stored()) == {
        "endpoints[0].kind": ["must be a string, got an integer"]
    }


def test_duplicate_endpoint_names_are_refused_at_the_second():
    doc = spec_doc()
    doc["endpoints"].append({"name": "local", "base_url": URL})
    doc["endpoints"].append({"name": "other", "base_url": URL})
    assert errors_at(doc) == {"endpoints[1].name": ['duplicate endpoint name "local"']}
