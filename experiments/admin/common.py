from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.html import format_html

from experiments.nul import NUL_MESSAGE, nul_path


class NulFreeJSONField(forms.JSONField):
    """A JSON form field that refuses NUL characters at the field: PostgreSQL
    stores none in JSONB, so saving one would be a server error."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        where = nul_path(value)
        if where is not None:
            raise forms.ValidationError(
                f"{where}: {NUL_MESSAGE}" if where else NUL_MESSAGE.capitalize()
            )


# For every admin that edits JSON columns.
NUL_FREE_JSON = {models.JSONField: {"form_class": NulFreeJSONField}}


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
