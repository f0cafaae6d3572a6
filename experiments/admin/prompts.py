from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count, Max
from django.utils.html import format_html, format_html_join
from jsonschema import Draft202012Validator

from experiments.models import Prompt, PromptVersion
from experiments.nul import NUL_MESSAGE, nul_path
from experiments.services import add_prompt_version
from experiments.spec.errors import schema_errors
from experiments.spec.schema import MESSAGE
from experiments.spec.templates import compile_template

_MESSAGES = Draft202012Validator({"type": "array", "items": MESSAGE, "minItems": 1})


def render_messages_html(messages: list[dict]) -> str:
    return format_html_join(
        "",
        '<div style="margin-bottom:.5em"><strong>{}</strong>'
        '<pre style="white-space:pre-wrap;margin:.2em 0 0">{}</pre></div>',
        ((m.get("role", "?"), m.get("content", "")) for m in messages),
    )


class PromptVersionInline(admin.TabularInline):
    model = PromptVersion
    fields = ["number", "readable_messages", "content_hash", "created_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-number"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Messages")
    def readable_messages(self, obj) -> str:
        return render_messages_html(obj.messages)


class PromptForm(forms.ModelForm):
    messages = forms.JSONField(
        help_text='A list of {"role": "system"|"user"|"assistant", "content": "..."}; '
        "content is a Jinja2 template over the item's input keys. Saving "
        "different messages adds a new version; versions are never changed.",
        widget=forms.Textarea(attrs={"rows": 12, "cols": 100}),
    )

    class Meta:
        model = Prompt
        fields = ["project", "name", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        latest = self.instance.latest_version if self.instance.pk else None
        if latest is not None:
            self.initial["messages"] = latest.messages

    def clean_messages(self):
        messages = self.cleaned_data["messages"]
        errors = [str(e) for e in schema_errors(_MESSAGES, messages, "messages")]
        where = nul_path(messages, "messages")
        if where is not None:
            errors.append(f"{where}: {NUL_MESSAGE}")
        for n, message in enumerate(messages if not errors else []):
            try:
                compile_template(message["content"])
            except Exception as exc:  # jinja2.TemplateSyntaxError and friends
                errors.append(f"messages[{n}].content: template error: {exc}")
        if errors:
            raise forms.ValidationError(errors)
        return messages


@admin.register(Prompt)
class PromptAdmin(admin.ModelAdmin):
    form = PromptForm
    list_display = ["name", "project", "version_count", "latest_at"]
    list_filter = ["project"]
    search_fields = ["name", "description", "versions__messages"]
    inlines = [PromptVersionInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_versions=Count("versions"), latest=Max("versions__created_at"))
        )

    @admin.display(description="Versions", ordering="n_versions")
    def version_count(self, obj) -> int:
        return obj.n_versions

    @admin.display(description="Latest version", ordering="latest")
    def latest_at(self, obj):
        return obj.latest

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        add_prompt_version(obj, form.cleaned_data["messages"], request.user)


@admin.register(PromptVersion)
class PromptVersionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "prompt", "created_by", "created_at"]
    list_filter = ["prompt__project"]
    search_fields = ["prompt__name", "messages"]
    fields = ["prompt", "number", "readable_messages", "content_hash", "created_by"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Messages")
    def readable_messages(self, obj) -> str:
        return format_html("{}", render_messages_html(obj.messages))
