"""Configs side by side and sweep against sweep: query parameters and answers
(docs/api.md, "Analysis")."""

from __future__ import annotations

from rest_framework import serializers

from experiments.analysis.compare import LIMIT, MAX_CONFIGS, MAX_LIMIT, check_configs
from experiments.analysis.data import AnalysisParameterError, Filters, check_filters
from experiments.api.serializers.analysis import interval
from experiments.api.serializers.sweeps import StageChoiceSerializer
from experiments.models import Sweep


class CompareQuerySerializer(serializers.Serializer):
    """``context["sweep"]``: the sweep whose configs ``configs`` names."""

    configs = serializers.CharField(
        max_length=(64 + 1) * MAX_CONFIGS,
        help_text="2 to 4 config hashes (a leaderboard row's `config_hash`), "
        "comma-separated; the first is the reference the others are diffed "
        "against.",
    )
    sample = serializers.IntegerField(
        required=False,
        default=0,
        min_value=0,
        max_value=2**31 - 1,
        help_text="The sample index compared (default 0).",
    )
    offset = serializers.IntegerField(
        required=False, default=0, min_value=0, max_value=2**31 - 1
    )
    limit = serializers.IntegerField(
        required=False,
        default=LIMIT,
        min_value=1,
        max_value=MAX_LIMIT,
        help_text=f"Items per answer (default {LIMIT}, up to {MAX_LIMIT}).",
    )

    def validate_configs(self, value: str) -> list[str]:
        hashes = [h.strip() for h in value.split(",") if h.strip()]
        sweep: Sweep = self.context["sweep"]
        try:
            check_configs(sweep.runs.all(), hashes)
        except AnalysisParameterError as exc:
            raise serializers.ValidationError(exc.message) from None
        return hashes


class VersusQuerySerializer(serializers.Serializer):
    """``context["sweeps"]``: the two sweeps, whose specs must both have the
    scorer."""

    scorer = serializers.CharField(
        required=False,
        max_length=200,
        help_text="Compare this scorer's value instead of the composite score.",
    )

    def validate(self, attrs: dict) -> dict:
        for sweep in self.context["sweeps"]:
            try:
                check_filters(sweep.spec, Filters(scorer=attrs.get("scorer")))
            except AnalysisParameterError as exc:
                raise serializers.ValidationError(
                    {exc.param: [f"sweep {sweep.pk}: {exc.message}"]}
                ) from None
        return attrs


class ConfigHeadSerializer(serializers.Serializer):
    config_hash = serializers.CharField()
    config = serializers.DictField()
    stages = StageChoiceSerializer(many=True)
    label = serializers.CharField(help_text="The config as the commands print it.")


class DiffOpSerializer(serializers.Serializer):
    op = serializers.ChoiceField(choices=["equal", "insert", "delete"])
    text = serializers.CharField(allow_blank=True)


class CompareRunSerializer(serializers.Serializer):
    config_hash = serializers.CharField()
    run_id = serializers.IntegerField()
    status = serializers.CharField()
    output = serializers.CharField(allow_blank=True)
    error = serializers.CharField(allow_blank=True)
    score = serializers.FloatField(allow_null=True)
    score_delta = serializers.FloatField(
        allow_null=True, help_text="Its score minus the first config's."
    )
    scores = serializers.DictField(child=serializers.FloatField(allow_null=True))
    scores_delta = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="Per scorer, its value minus the first config's.",
    )
    diff = DiffOpSerializer(
        many=True,
        allow_null=True,
        help_text="Word-level diff of the first config's output into this "
        "one's (null for the first).",
    )


class CompareItemSerializer(serializers.Serializer):
    item_id = serializers.IntegerField()
    position = serializers.IntegerField(allow_null=True)
    input = serializers.JSONField()
    expected = serializers.JSONField(allow_null=True)
    disagreement = serializers.FloatField(
        help_text="Max minus min of the configs' scores (no score counts as 0)."
    )
    runs = CompareRunSerializer(many=True)


class CompareSummarySerializer(serializers.Serializer):
    config_hash = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    score_delta = serializers.FloatField(allow_null=True)
    failed = serializers.IntegerField()
    outputs_differing = serializers.IntegerField()


class CompareSerializer(serializers.Serializer):
    configs = ConfigHeadSerializer(many=True)
    sample = serializers.IntegerField()
    shared_items = serializers.IntegerField(
        help_text="Items every config has a finished run of, at the sample."
    )
    summary = CompareSummarySerializer(many=True)
    offset = serializers.IntegerField()
    limit = serializers.IntegerField()
    items = CompareItemSerializer(many=True, help_text="Most disagreement first.")


class VersusSweepSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    experiment = serializers.CharField()
    project = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class VersusConfigSerializer(ConfigHeadSerializer):
    mean_a = serializers.FloatField(allow_null=True)
    mean_b = serializers.FloatField(allow_null=True)
    delta = serializers.FloatField(
        allow_null=True, help_text="Mean per-item difference, B minus A."
    )
    delta_ci95 = interval("The paired bootstrap's 95% interval of `delta`.")
    p_value = serializers.FloatField(allow_null=True, help_text="Holm-adjusted.")
    paired_items = serializers.IntegerField()
    verdict = serializers.ChoiceField(choices=["regression", "improvement", "same"])


class VersusFiltersSerializer(serializers.Serializer):
    scorer = serializers.CharField(allow_null=True)


class VersusSerializer(serializers.Serializer):
    a = VersusSweepSerializer(help_text="The baseline.")
    b = VersusSweepSerializer()
    filters = VersusFiltersSerializer()
    shared_items = serializers.IntegerField()
    only_in_a = serializers.ListField(child=serializers.CharField())
    only_in_b = serializers.ListField(child=serializers.CharField())
    regressions = serializers.IntegerField()
    improvements = serializers.IntegerField()
    configs = VersusConfigSerializer(many=True, help_text="Worst delta first.")
