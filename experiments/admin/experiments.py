from __future__ import annotations

import yaml
from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html

from experiments.models import Experiment
from experiments.services import create_experiment, validate_experiment_spec
from experiments.spec import SpecInvalid, parse_spec_text


class ExperimentSpecForm(forms.ModelForm):
    """Add an experiment by pasting its spec; the spec validator checks it."""

    spec_text = forms.CharField(
        label="Spec (YAML or JSON)",
        widget=forms.Textarea(attrs={"rows": 30, "cols": 100, "spellcheck": "false"}),
        help_text="The experiment spec; see examples/entity-extraction.yaml.",
    )

    class Meta:
        model = Experiment
        fields = []

    def clean_spec_text(self):
        try:
            document = parse_spec_text(self.cleaned_data["spec_text"])
        except SpecInvalid as exc:
            raise forms.ValidationError([str(e) for e in exc.errors]) from None
        result = validate_experiment_spec(document)
        if not result.ok:
            raise forms.ValidationError([str(e) for e in result.errors])
        self.document = document
        return self.cleaned_data["spec_text"]


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "dataset", "sweep_count", "updated_at"]
    list_filter = ["project"]
    search_fields = ["name", "description"]
    readonly_fields = [
        "name",
        "project",
        "dataset",
        "prompt_versions_list",
        "endpoints_list",
        "spec_yaml",
        "created_by",
        "created_at",
        "updated_at",
    ]
    fields = ["description", *readonly_fields]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_sweeps=Count("sweeps"))

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ExperimentSpecForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["spec_text"] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change) -> None:
        if change:
            return super().save_model(request, obj, form, change)
        try:
            experiment, _ = create_experiment(form.document, request.user)
        except SpecInvalid as exc:  # changed between clean() and save
            raise forms.ValidationError([str(e) for e in exc.errors]) from None
        form.instance = experiment
        obj.pk = experiment.pk

    def save_related(self, request, form, formsets, change) -> None:
        if change:
            super().save_related(request, form, formsets, change)

    @admin.display(description="Sweeps", ordering="n_sweeps")
    def sweep_count(self, obj) -> int:
        return obj.n_sweeps

    @admin.display(description="Prompt versions")
    def prompt_versions_list(self, obj) -> str:
        return ", ".join(str(v) for v in obj.prompt_versions.select_related("prompt"))

    @admin.display(description="Endpoints")
    def endpoints_list(self, obj) -> str:
        return ", ".join(e.name for e in obj.endpoints.all())

    @admin.display(description="Spec (as accepted)")
    def spec_yaml(self, obj) -> str:
        text = yaml.safe_dump(obj.spec_source, sort_keys=False, allow_unicode=True)
        return format_html('<pre style="white-space:pre-wrap">{}</pre>', text)
