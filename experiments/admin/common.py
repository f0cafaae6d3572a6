from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the engine writes: viewable and deletable, never edited by hand."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


def pretty_json(value, max_chars: int | None = None) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
    if max_chars and len(text) > max_chars:
        text = text[:max_chars] + " ..."
    return format_html('<pre style="white-space:pre-wrap;margin:0">{}</pre>', text)


def short_json(value, max_chars: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= max_chars else text[: max_chars - 3] + "..."
