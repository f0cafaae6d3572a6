from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count

from adapters.connection import ConnectionResult, check_connection
from adapters.endpoint_policy import EndpointRefused
from experiments.admin.common import NUL_FREE_JSON
from experiments.models import Endpoint, Membership, Project


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "member_count", "created_at"]
    search_fields = ["name", "description"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_members=Count("memberships"))

    @admin.display(description="Members", ordering="n_members")
    def member_count(self, obj) -> int:
        return obj.n_members


class EndpointForm(forms.ModelForm):
    """The API key is write-only: the form never shows it back."""

    new_api_key = forms.CharField(
        label="API key",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Write-only. Leave blank to keep the stored key.",
    )
    clear_api_key = forms.BooleanField(
        required=False, help_text="Remove the stored key."
    )

    class Meta:
        model = Endpoint
        fields = ["project", "name", *Endpoint.SETTINGS_FIELDS]

    def save(self, commit: bool = True):
        endpoint = super().save(commit=False)
        if self.cleaned_data.get("new_api_key"):
            endpoint.api_key = self.cleaned_data["new_api_key"]
        elif self.cleaned_data.get("clear_api_key"):
            endpoint.api_key = ""
        if commit:
            endpoint.save()
        return endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    formfield_overrides = NUL_FREE_JSON
    form = EndpointForm
    list_display = [
        "name",
        "project",
        "base_url",
        "kind",
        "key_status",
        "max_concurrency",
    ]
    list_filter = ["project", "kind"]
    search_fields = ["name", "base_url"]
    readonly_fields = ["key_status", "created_at", "updated_at"]
    actions = ["test_connection"]
    fieldsets = [
        (None, {"fields": ["project", "name", "kind", "base_url"]}),
        (
            "API key",
            {"fields": ["key_status", "new_api_key", "clear_api_key", "api_key_env"]},
        ),
        ("Limits", {"fields": ["max_concurrency", "rpm", "tpm", "timeout_s"]}),
        ("Prices", {"fields": ["prices"]}),
        ("History", {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description="API key")
    def key_status(self, obj) -> str:
        if obj.api_key:
            return "set"
        if obj.api_key_env:
            return f"from ${obj.api_key_env}"
        return "not set"

    @admin.action(description="Test connection (GET /models)")
    def test_connection(self, request, queryset) -> None:
        for endpoint in queryset:
            try:
                endpoint.check_allowed()
                result = check_connection(
                    endpoint.base_url,
                    endpoint.resolved_api_key(),
                    timeout_s=min(endpoint.timeout_s, 10.0),
                )
            except EndpointRefused as exc:
                result = ConnectionResult(False, str(exc))
            level = messages.SUCCESS if result.ok else messages.ERROR
            self.message_user(request, f"{endpoint.name}: {result.message}", level)
