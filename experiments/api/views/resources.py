"""Endpoints, prompts (with versions and diffs) and datasets (with items,
import and export)."""

from __future__ import annotations

import difflib

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from adapters.connection import ConnectionResult, check_connection
from adapters.endpoint_policy import EndpointRefused
from experiments.api.base import WRITE, ProjectModelViewSet
from experiments.api.files import (
    FILE_RESPONSES,
    FORMAT_PARAMETER,
    download,
    export_format,
)
from experiments.api.ids import id_or_404
from experiments.api.serializers.resources import (
    ConnectionResultSerializer,
    DatasetImportSerializer,
    DatasetItemSerializer,
    DatasetSerializer,
    EndpointSerializer,
    ImportResultSerializer,
    PromptDiffSerializer,
    PromptSerializer,
    PromptVersionSerializer,
)
from experiments.dataset_io import (
    detect_format,
    export_csv,
    export_jsonl,
    parse_dataset,
)
from experiments.models import Dataset, Endpoint, Prompt
from experiments.services.datasets import (
    dataset_items,
    import_items,
    replace_items,
    search_items,
)
from experiments.services.prompts import create_prompt, update_prompt


class EndpointViewSet(ProjectModelViewSet):
    """OpenAI-compatible servers. ``api_key`` is write-only: responses say
    only whether one is set."""

    queryset = Endpoint.objects.select_related("project")
    serializer_class = EndpointSerializer
    filterset_fields = ["project", "name", "kind"]
    ordering_fields = ["name", "created_at"]
    roles = {"test": WRITE}

    @extend_schema(request=None, responses=ConnectionResultSerializer)
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None) -> Response:
        """Ask the endpoint for its models: does it answer, does it take the key?"""
        endpoint = self.get_object()
        try:
            endpoint.check_allowed()
            result = check_connection(
                endpoint.base_url,
                endpoint.resolved_api_key(),
                min(endpoint.timeout_s, 15.0),
            )
        except EndpointRefused as exc:
            result = ConnectionResult(False, str(exc))
        data = {"ok": result.ok, "message": result.message, "models": result.models}
        return Response(ConnectionResultSerializer(data).data)


class PromptViewSet(ProjectModelViewSet):
    """Prompts; writing new messages adds a version, earlier ones stay."""

    queryset = Prompt.objects.select_related("project")
    serializer_class = PromptSerializer
    filterset_fields = ["project", "name"]
    ordering_fields = ["name", "created_at"]

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        self.require_role(data["project"])  # the API key's scope too
        serializer.instance = create_prompt(
            data.pop("project"), data.pop("messages"), self.request.user, **data
        )

    def perform_update(self, serializer) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = update_prompt(
            serializer.instance, data.pop("messages", None), self.request.user, **data
        )

    @extend_schema(responses=PromptVersionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request, pk=None) -> Response:
        prompt = self.get_object()
        page = self.paginate_queryset(prompt.versions.order_by("-number"))
        data = PromptVersionSerializer(page, many=True).data
        return self.get_paginated_response(data)

    @extend_schema(responses=PromptVersionSerializer)
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>\d+)")
    def version(self, request, pk=None, number: str = "") -> Response:
        prompt = self.get_object()
        version = get_object_or_404(prompt.versions, number=id_or_404(number))
        return Response(PromptVersionSerializer(version).data)

    @extend_schema(responses=PromptDiffSerializer)
    @action(
        detail=True,
        methods=["get"],
        url_path=r"versions/(?P<a>\d+)/diff/(?P<b>\d+)",
    )
    def diff(self, request, pk=None, a: str = "", b: str = "") -> Response:
        """A unified diff of the messages of versions ``a`` and ``b``."""
        prompt = self.get_object()
        first = get_object_or_404(prompt.versions, number=id_or_404(a))
        second = get_object_or_404(prompt.versions, number=id_or_404(b))
        lines = difflib.unified_diff(
            _message_lines(first.messages),
            _message_lines(second.messages),
            fromfile=f"{prompt.name} v{first.number}",
            tofile=f"{prompt.name} v{second.number}",
            lineterm="",
        )
        data = {
            "prompt": prompt.pk,
            "from_version": first.number,
            "to_version": second.number,
            "diff": "\n".join(lines),
        }
        return Response(PromptDiffSerializer(data).data)


def _message_lines(messages: list[dict]) -> list[str]:
    lines = []
    for message in messages:
        lines.append(f"[{message.get('role')}]")
        lines.extend(str(message.get("content", "")).splitlines())
    return lines


class DatasetViewSet(ProjectModelViewSet):
    """Datasets of items; import CSV/JSONL (all or nothing), export either."""

    queryset = (
        Dataset.objects.select_related("project")
        .annotate(active_count=Count("items", filter=Q(items__archived=False)))
        .order_by("project", "name")
    )
    serializer_class = DatasetSerializer
    filterset_fields = ["project", "name"]
    ordering_fields = ["name", "created_at", "updated_at"]
    roles = {"upload": WRITE}

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "search",
                str,
                description="Only items whose input, expected output or tags "
                "contain this text (any case).",
            )
        ],
        responses=DatasetItemSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def items(self, request, pk=None) -> Response:
        """The dataset's items in order, optionally only those matching ``search``."""
        dataset = self.get_object()
        text = request.query_params.get("search", "").strip()
        items = search_items(dataset, text) if text else dataset.active_items()
        page = self.paginate_queryset(items)
        return self.get_paginated_response(DatasetItemSerializer(page, many=True).data)

    @extend_schema(
        request={"multipart/form-data": DatasetImportSerializer},
        responses={200: ImportResultSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def upload(self, request, pk=None) -> Response:
        """Add (``append``) or set (``replace``) items from a .jsonl or .csv
        file. Any bad row rejects the whole file, every error listed."""
        dataset = self.get_object()
        serializer = DatasetImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        fmt = detect_format(upload.name)
        items = parse_dataset(upload.read(), fmt, upload.name)
        store = (
            replace_items
            if serializer.validated_data["mode"] == "replace"
            else import_items
        )
        result = store(dataset, items)
        data = {"added": result.added, "kept": result.kept,
                "archived": result.archived, "deleted": result.deleted}  # fmt: skip
        return Response(ImportResultSerializer(data).data)

    @extend_schema(parameters=[FORMAT_PARAMETER], responses=FILE_RESPONSES)
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None) -> HttpResponse:
        dataset = self.get_object()
        fmt = export_format(request)
        items = dataset_items(dataset)
        body = export_csv(items) if fmt == "csv" else export_jsonl(items)
        return download(body, fmt, dataset.name)
