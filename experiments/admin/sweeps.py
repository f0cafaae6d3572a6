from __future__ import annotations

from django.contrib import admin

from experiments.admin.common import ReadOnlyAdmin, pretty_json
from experiments.admin.trace import trace_html
from experiments.config_labels import pipeline_label, stage_rows
from experiments.models import CachedResponse, Run, Score, Sweep, SweepEvent


class SweepEventInline(admin.TabularInline):
    model = SweepEvent
    fields = ["seq", "type", "payload", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Sweep)
class SweepAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "experiment",
        "status",
        "progress",
        "errors",
        "cache_hits",
        "calls",
        "cost",
        "created_at",
    ]
    list_filter = ["status", "experiment__project", "experiment"]
    search_fields = ["experiment__name", "=id"]
    list_select_related = ["experiment"]
    inlines = [SweepEventInline]

    @admin.display(description="Done")
    def progress(self, obj) -> str:
        return f"{obj.done}/{obj.planned}"


class ScoreInline(admin.TabularInline):
    model = Score
    fields = ["scorer", "value", "weight", "error", "detail"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ConfigFilter(admin.SimpleListFilter):
    """Configs of the sweep being filtered on (all sweeps have too many)."""

    title = "config"
    parameter_name = "config_hash"

    def lookups(self, request, model_admin):
        sweep = request.GET.get("sweep__id__exact")
        runs = Run.objects.filter(sweep_id=sweep) if sweep else Run.objects.none()
        seen = {}
        for config_hash, config in runs.values_list("config_hash", "config").distinct()[
            :200
        ]:
            seen.setdefault(config_hash, config_label(config))
        return sorted(seen.items(), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(config_hash=value) if value else queryset


def config_label(config: dict) -> str:
    stages = stage_rows(config)
    if stages:  # a pipeline: every stage's choice
        return pipeline_label(stages)
    params = ", ".join(f"{k}={v}" for k, v in sorted(config.get("params", {}).items()))
    return f"{config.get('prompt')} / {config.get('model')} ({params})"


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "sweep",
        "status",
        "config_summary",
        "item",
        "sample_index",
        "score",
        "cache_hit",
        "latency_ms",
        "error_kind",
    ]
    list_filter = ["status", "cache_hit", "error_kind", "sweep", ConfigFilter]
    search_fields = ["config_hash", "output_text", "error_message"]
    list_select_related = ["sweep", "item", "item__dataset"]
    show_full_result_count = False  # a COUNT(*) over 100k runs per page is wasted
    inlines = [ScoreInline]
    exclude = ["raw_response", "config", "messages", "trace"]
    readonly_fields = [
        "config_pretty",
        "messages_pretty",
        "trace_stages",
        "raw_response_pretty",
    ]

    @admin.display(description="Config")
    def config_summary(self, obj) -> str:
        return config_label(obj.config)

    @admin.display(description="Config")
    def config_pretty(self, obj) -> str:
        return pretty_json(obj.config)

    @admin.display(description="Messages sent")
    def messages_pretty(self, obj) -> str:
        return pretty_json(obj.messages)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is None or not obj.trace:  # a single-stage run has no stages
            return [f for f in fields if f != "trace_stages"]
        return fields

    @admin.display(description="Stages")
    def trace_stages(self, obj) -> str:
        return trace_html(obj.trace)

    @admin.display(description="Raw response")
    def raw_response_pretty(self, obj) -> str:
        return pretty_json(obj.raw_response, max_chars=20000)


@admin.register(CachedResponse)
class CachedResponseAdmin(ReadOnlyAdmin):
    list_display = [
        "short_key",
        "model",
        "endpoint_url",
        "scope",
        "hit_count",
        "created_at",
        "last_hit_at",
    ]
    list_filter = ["model", "scope"]
    search_fields = ["=key", "model", "endpoint_url"]
    show_full_result_count = False
    exclude = ["request", "response"]
    readonly_fields = ["request_pretty", "response_pretty"]

    @admin.display(description="Key")
    def short_key(self, obj) -> str:
        return obj.key[:16]

    @admin.display(description="Request")
    def request_pretty(self, obj) -> str:
        return pretty_json(obj.request)

    @admin.display(description="Response")
    def response_pretty(self, obj) -> str:
        return pretty_json(obj.response, max_chars=20000)
