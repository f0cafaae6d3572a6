"""Adapter kinds -> dotted paths, imported when first used."""

from __future__ import annotations

from functools import cache

from django.utils.module_loading import import_string

from adapters.base import BaseAdapter, EndpointConfig, HttpClient

ADAPTERS = {
    "openai": "adapters.openai.OpenAIAdapter",
}


@cache
def adapter_class(kind: str) -> type[BaseAdapter]:
    try:
        return import_string(ADAPTERS[kind])
    except KeyError:
        known = ", ".join(sorted(ADAPTERS))
        raise KeyError(f'unknown adapter kind "{kind}" (known: {known})') from None


def build_adapter(endpoint: EndpointConfig, client: HttpClient) -> BaseAdapter:
    return adapter_class(endpoint.kind)(endpoint, client)
