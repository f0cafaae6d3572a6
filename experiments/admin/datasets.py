from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from experiments.admin.common import NUL_FREE_JSON, short_json
from experiments.dataset_io import (
    DatasetFileError,
    detect_format,
    export_csv,
    export_jsonl,
    parse_dataset,
)
from experiments.models import Dataset, DatasetItem
from experiments.services import import_items, replace_items
from experiments.services.datasets import dataset_items


class DatasetItemInline(admin.TabularInline):
    model = DatasetItem
    formfield_overrides = NUL_FREE_JSON
    fields = ["position", "input", "expected", "tags"]
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).filter(archived=False)


class ImportForm(forms.Form):
    file = forms.FileField(help_text="A .jsonl or .csv file, one item per line or row.")
    mode = forms.ChoiceField(
        choices=[
            ("append", "Append to the current items"),
            ("replace", "Replace the current items (items used by runs are archived)"),
        ],
        initial="append",
        widget=forms.RadioSelect,
    )


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "item_count", "updated_at"]
    list_filter = ["project"]
    search_fields = ["name", "description"]
    inlines = [DatasetItemInline]
    change_form_template = "admin/experiments/dataset/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_items=Count("items", filter=Q(items__archived=False)))
        )

    @admin.display(description="Items", ordering="n_items")
    def item_count(self, obj) -> int:
        return obj.n_items

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/import/", view(self.import_view), name="dataset_import"),
            path(
                "<int:pk>/export/<str:fmt>/",
                view(self.export_view),
                name="dataset_export",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request, pk: int):
        dataset = get_object_or_404(Dataset, pk=pk)
        if not self.has_change_permission(request, dataset):
            return redirect("admin:experiments_dataset_change", pk)
        form = ImportForm(request.POST or None, request.FILES or None)
        row_errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                items = parse_dataset(
                    upload.read(), detect_format(upload.name), upload.name
                )
            except DatasetFileError as exc:
                row_errors = exc.errors
            else:
                importer = (
                    replace_items
                    if form.cleaned_data["mode"] == "replace"
                    else import_items
                )
                result = importer(dataset, items)
                self.message_user(
                    request,
                    f"Imported {len(items)} items from {upload.name} "
                    f"({result.added} new, {result.kept} unchanged, "
                    f"{result.archived} archived, {result.deleted} removed).",
                    messages.SUCCESS,
                )
                return redirect("admin:experiments_dataset_change", pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": dataset,
            "title": f"Import items into {dataset.name}",
            "form": form,
            "row_errors": row_errors,
            "change_url": reverse("admin:experiments_dataset_change", args=[pk]),
        }
        return TemplateResponse(
            request, "admin/experiments/dataset/import.html", context
        )

    def export_view(self, request, pk: int, fmt: str):
        dataset = get_object_or_404(Dataset, pk=pk)
        exporters = {
            "jsonl": (export_jsonl, "application/x-ndjson"),
            "csv": (export_csv, "text/csv"),
        }
        if fmt not in exporters:
            return HttpResponse("format must be jsonl or csv", status=400)
        export, content_type = exporters[fmt]
        response = HttpResponse(
            export(dataset_items(dataset)), content_type=content_type
        )
        response["Content-Disposition"] = f'attachment; filename="{dataset.name}.{fmt}"'
        return response


@admin.register(DatasetItem)
class DatasetItemAdmin(admin.ModelAdmin):
    formfield_overrides = NUL_FREE_JSON
    list_display = [
        "__str__",
        "dataset",
        "input_preview",
        "expected_preview",
        "tags",
        "archived",
    ]
    list_filter = ["archived", "dataset__project", "dataset"]
    search_fields = ["input", "expected", "tags"]
    fields = [
        "dataset",
        "position",
        "input",
        "expected",
        "tags",
        "archived",
        "content_hash",
    ]
    readonly_fields = ["content_hash"]
    list_select_related = ["dataset"]

    @admin.display(description="Input")
    def input_preview(self, obj) -> str:
        return short_json(obj.input)

    @admin.display(description="Expected")
    def expected_preview(self, obj) -> str:
        return short_json(obj.expected)
