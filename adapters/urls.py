"""Endpoint base URLs: one spelling per URL, and request URLs built from it."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def normalise_base_url(value: str) -> str:
    """Lower-case scheme and host, no trailing slash, no fragment: one URL,
    one cache key. The query is kept as given: some servers need one on
    every request (Azure's ``?api-version=...``)."""
    parts = urlsplit(value.strip())
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}{query}"


def join_url(base_url: str, path: str) -> str:
    """``path`` (e.g. "/chat/completions") under ``base_url``, its query kept
    after the path."""
    parts = urlsplit(base_url)
    joined = parts._replace(path=parts.path.rstrip("/") + path, fragment="")
    return urlunsplit(joined)
