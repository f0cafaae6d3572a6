"""Base URLs: one normalisation everywhere, and a query (Azure's
``?api-version=...``) kept rather than dropped."""

from __future__ import annotations

import pytest

from adapters.urls import normalise_base_url
from experiments.engine.cache import cache_key
from experiments.models import CachedResponse, Endpoint
from experiments.services.cache import purge_queryset

AZURE = (
    "https://Example.OpenAI.Azure.com/openai/deployments/gpt/?api-version=2024-06-01"
)


def test_normalising_keeps_the_query_and_drops_the_fragment():
    assert normalise_base_url(AZURE) == (
        "https://example.openai.azure.com/openai/deployments/gpt?api-version=2024-06-01"
    )
    assert normalise_base_url(" HTTP://Host:8/v1/#top ") == "http://host:8/v1"


@pytest.mark.django_db
def test_a_stored_endpoint_keeps_its_query(project):
    endpoint = Endpoint.objects.create(project=project, name="azure", base_url=AZURE)
    assert endpoint.base_url.endswith("/deployments/gpt?api-version=2024-06-01")


def test_api_versions_do_not_share_cache_entries():
    body = {"model": "gpt", "messages": [{"role": "user", "content": "hi"}]}
    older = AZURE.replace("2024-06-01", "2023-05-15")
    assert cache_key("openai", AZURE, body, 0) != cache_key("openai", older, body, 0)
    assert cache_key("openai", AZURE, body, 0) == cache_key(
        "openai", AZURE.replace("/?", "?"), body, 0
    )


@pytest.mark.django_db
def test_purging_by_a_url_spelt_differently_finds_its_entries(project):
    CachedResponse.objects.create(
        scope="global",
        key="k",
        adapter="openai",
        endpoint_url="http://host:8/v1",
        model="m",
        request={},
        response={},
    )
    assert purge_queryset(endpoint="HTTP://Host:8/v1/").count() == 1
