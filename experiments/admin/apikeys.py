from __future__ import annotations

from django.contrib import admin, messages

from experiments.models import ApiKey
from experiments.services.access import revoke_api_key


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are made through the API (shown once there); here they can be
    seen and revoked, never read."""

    list_display = ["name", "prefix", "user", "project", "read_only", "created_at",
                    "last_used_at", "expires_at", "revoked_at"]  # fmt: skip
    list_filter = ["project", "read_only"]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = ["user", "project", "name", "prefix", "read_only",
                       "created_at", "last_used_at", "expires_at",
                       "revoked_at"]  # fmt: skip
    exclude = ["key_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Revoke selected keys")
    def revoke(self, request, queryset) -> None:
        for api_key in queryset:
            revoke_api_key(api_key)
        self.message_user(
            request, f"Revoked {queryset.count()} key(s).", messages.SUCCESS
        )
