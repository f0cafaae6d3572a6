"""Promotions and deployments (docs/api.md, "Promotion and deployments")."""

from __future__ import annotations

from rest_framework import serializers

from experiments.models import Promotion
from experiments.services.promotions import (
    MAX_NOTE,
    PromotionInvalid,
    check_config,
    check_label,
    rollback_source,
)

LABEL_HELP = "A slug: lowercase letters, digits, `-` and `_` (`production`)."


def refused(exc: PromotionInvalid) -> serializers.ValidationError:
    return serializers.ValidationError({exc.field: [exc.message]})


class PromoteSerializer(serializers.Serializer):
    """A config of the sweep, and the label to promote it to."""

    # context["sweep"]: the sweep whose config it must name.

    config = serializers.CharField(
        max_length=64,
        help_text="A `config_hash` of the sweep with at least one done run "
        "(or its first 6 or more characters).",
    )
    label = serializers.CharField(max_length=50, help_text=LABEL_HELP)
    note = serializers.CharField(
        max_length=MAX_NOTE, required=False, allow_blank=True, default=""
    )

    def validate(self, attrs: dict) -> dict:
        try:
            check_label(attrs["label"])
            attrs["config"] = check_config(self.context["sweep"], attrs["config"])
        except PromotionInvalid as exc:
            raise refused(exc) from None
        return attrs


class RollbackSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=50, help_text=LABEL_HELP)
    promotion = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="The id of an earlier promotion of the experiment to promote "
        "again (default: the label's latest before the current one that "
        "promoted another config).",
    )
    note = serializers.CharField(
        max_length=MAX_NOTE, required=False, allow_blank=True, default=""
    )

    def validate(self, attrs: dict) -> dict:
        # context["experiment"]'s promotion to promote again, as "source".
        try:
            attrs["source"] = rollback_source(
                self.context["experiment"], attrs["label"], attrs.get("promotion")
            )
        except PromotionInvalid as exc:
            raise refused(exc) from None
        return attrs


class HistoryQuerySerializer(serializers.Serializer):
    label = serializers.CharField(
        required=False, max_length=50, help_text="Only this label's history."
    )


class EndpointRefSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.CharField(allow_null=True)
    base_url = serializers.CharField(allow_null=True)
    api_key_env = serializers.CharField(
        allow_null=True,
        help_text="The environment variable the key is read from, if the "
        "endpoint names one. The key itself is never sent.",
    )


class PromptRefSerializer(serializers.Serializer):
    name = serializers.CharField()
    version = serializers.IntegerField(
        allow_null=True, help_text="The stored prompt version with these messages."
    )
    messages = serializers.ListField(
        child=serializers.DictField(),
        help_text="Jinja2 templates: render them with an item's input fields "
        "(and a pipeline's `stages.<name>.output`).",
    )


class DeploymentStageSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="`main` for a single-stage experiment.")
    prompt = PromptRefSerializer()
    endpoint = EndpointRefSerializer()
    model = serializers.CharField()
    params = serializers.DictField()


class PromotionSerializer(serializers.ModelSerializer):
    sweep = serializers.IntegerField(
        source="sweep_number", help_text="The sweep's id (it may be deleted since)."
    )
    stages = DeploymentStageSerializer(source="deployment", many=True)
    scores = serializers.DictField(
        help_text="The config's leaderboard row when it was promoted: rank, "
        "score, ci95, n, per-scorer means (`scores`), errors, cost, latency."
    )
    promoted_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    source = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="The earlier promotion this one promoted again (a rollback).",
    )

    class Meta:
        model = Promotion
        fields = [
            "id",
            "experiment",
            "label",
            "sweep",
            "config_hash",
            "config",
            "stages",
            "scores",
            "source",
            "note",
            "promoted_by",
            "promoted_at",
        ]
        read_only_fields = fields


class DeploymentPromotionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sweep = serializers.IntegerField()
    promoted_by = serializers.CharField(allow_null=True)
    promoted_at = serializers.DateTimeField()
    note = serializers.CharField(allow_blank=True)


class DeploymentSerializer(serializers.Serializer):
    project = serializers.CharField()
    experiment = serializers.CharField()
    label = serializers.CharField()
    config_hash = serializers.CharField()
    stages = DeploymentStageSerializer(many=True)
    scores = serializers.DictField()
    promotion = DeploymentPromotionSerializer()
