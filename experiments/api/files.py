"""File downloads (exports) and their ``?format=`` choice."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

CONTENT_TYPES = {
    "csv": "text/csv",
    "jsonl": "application/x-ndjson",
    "yaml": "application/yaml",
}
FORMAT_PARAMETER = OpenApiParameter(
    "format", str, enum=["jsonl", "csv"], default="jsonl", description="File format."
)
FILE_RESPONSES = {
    (200, "application/x-ndjson"): OpenApiResponse(OpenApiTypes.STR),
    (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
}


def export_format(request, choices: tuple[str, ...] = ("jsonl", "csv")) -> str:
    fmt = request.query_params.get("format", choices[0])
    if fmt not in choices:
        raise serializers.ValidationError(
            {"format": f'Use {" or ".join(choices)}, not "{fmt}".'}
        )
    return fmt


def download(body: str | Iterable[str], fmt: str, name: str) -> HttpResponse:
    """An attachment; an iterable body is streamed (large sweeps)."""
    content_type = f"{CONTENT_TYPES[fmt]}; charset=utf-8"
    if isinstance(body, str):
        response = HttpResponse(body, content_type=content_type)
    else:
        response = StreamingHttpResponse(body, content_type=content_type)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "export"
    response["Content-Disposition"] = f'attachment; filename="{safe}.{fmt}"'
    return response
