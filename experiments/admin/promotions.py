"""Promotions in the admin: promote a config of a finished sweep (the add
form), read a label's history, and promote an earlier one again (the
"promote again" action, a rollback). Rows are never edited."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages

from experiments.admin.common import pretty_json
from experiments.exceptions import DomainError
from experiments.models import Promotion, Sweep
from experiments.services.projects import require_role
from experiments.services.promotions import (
    PromotionInvalid,
    check_config,
    check_label,
    check_sweep,
    promote_again,
    promote_config,
)


class PromoteForm(forms.ModelForm):
    """Promote: the sweep, one of its configs and the label."""

    sweep = forms.ModelChoiceField(
        queryset=Sweep.objects.filter(status__in=Sweep.FINAL).select_related(
            "experiment"
        ),
        help_text="A finished sweep.",
    )
    config = forms.CharField(
        max_length=64,
        help_text="A config hash of the sweep (or its first 6+ characters), as "
        "its leaderboard shows it; the config needs a done run.",
    )

    user = None  # the admin sets the signed-in user (``get_form``)

    class Meta:
        model = Promotion
        fields = ["label", "note"]

    def clean(self):
        data = super().clean()
        sweep = data.get("sweep")
        if sweep is None or self.errors:
            return data
        try:
            require_role(sweep.experiment.project, self.user, "editor")
            check_sweep(sweep)
            check_label(data.get("label", ""))
            data["config"] = check_config(sweep, data.get("config", ""))
        except PromotionInvalid as exc:
            self.add_error(exc.field, exc.message)
        except DomainError as exc:
            self.add_error("sweep", str(exc))
        return data


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "experiment",
        "label",
        "short_config",
        "sweep_number",
        "score",
        "promoted_by",
        "promoted_at",
        "note",
    ]
    list_filter = ["label", "experiment__project", "experiment"]
    search_fields = ["experiment__name", "label", "config_hash", "note"]
    list_select_related = ["experiment", "promoted_by"]
    actions = ["promote_again_action"]
    readonly_fields = [
        "experiment",
        "label",
        "sweep",
        "sweep_number",
        "config_hash",
        "config_pretty",
        "stages_pretty",
        "scores_pretty",
        "source",
        "note",
        "promoted_by",
        "promoted_at",
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = type("PromoteForm", (PromoteForm,), {"user": request.user})
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["sweep", "config", "label", "note"]
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        promotion = promote_config(
            data["sweep"], data["config"], data["label"], request.user, data["note"]
        )
        # The admin logs and redirects with ``obj``: make it the stored row.
        for field in Promotion._meta.concrete_fields:
            setattr(obj, field.attname, getattr(promotion, field.attname))
        obj._state.adding = False

    def save_related(self, request, form, formsets, change) -> None:
        pass  # a promotion has no related rows to save

    @admin.action(description="Promote again (roll back to it)")
    def promote_again_action(self, request, queryset) -> None:
        if queryset.count() != 1:
            self.message_user(
                request, "Select exactly one promotion.", messages.WARNING
            )
            return
        try:
            promotion = promote_again(queryset.get(), request.user)
        except DomainError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(
            request,
            f"{promotion.label} of {promotion.experiment} is config "
            f"{promotion.config_hash[:12]} again (promotion #{promotion.pk}).",
        )

    @admin.display(description="Config")
    def short_config(self, obj) -> str:
        return obj.config_hash[:12]

    @admin.display(description="Score")
    def score(self, obj) -> str:
        value = (obj.scores or {}).get("score")
        return "-" if value is None else f"{value:.4f}"

    @admin.display(description="Config")
    def config_pretty(self, obj) -> str:
        return pretty_json(obj.config)

    @admin.display(description="Deployment (per stage)")
    def stages_pretty(self, obj) -> str:
        return pretty_json(obj.deployment)

    @admin.display(description="Scores when promoted")
    def scores_pretty(self, obj) -> str:
        return pretty_json(obj.scores)
