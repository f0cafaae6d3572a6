"""A sweep's analysis: its query parameters and answers (docs/api.md,
"Analysis")."""

from __future__ import annotations

from rest_framework import serializers

from experiments.analysis.axes import spec_axes
from experiments.analysis.data import AnalysisParameterError, Filters, check_filters
from experiments.api.serializers.sweeps import (
    LeaderboardRowSerializer,
    StageChoiceSerializer,
)
from experiments.models import Sweep
from experiments.services.analysis import check_config


def interval(help_text: str = "The 95% interval: [low, high].") -> serializers.Field:
    return serializers.ListField(
        child=serializers.FloatField(),
        min_length=2,
        max_length=2,
        allow_null=True,
        help_text=help_text,
    )


class AnalysisQuerySerializer(serializers.Serializer):
    """The filters every analysis takes; ``context["sweep"]`` is the sweep
    whose scorers and stages they must name."""

    scorer = serializers.CharField(
        required=False,
        max_length=200,
        help_text="Rank by this scorer's value instead of the composite score.",
    )
    stage = serializers.CharField(
        required=False,
        max_length=200,
        help_text="A pipeline's stage: rank by the (weighted) mean of its own scorers.",
    )
    sample = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        help_text="Only the runs of this sample index.",
    )

    def validate(self, attrs: dict) -> dict:
        sweep: Sweep = self.context["sweep"]
        try:
            check_filters(sweep.spec, Filters(**self.filters(attrs)))
        except AnalysisParameterError as exc:
            raise serializers.ValidationError({exc.param: [exc.message]}) from None
        return attrs

    @staticmethod
    def filters(attrs: dict) -> dict:
        return {k: attrs.get(k) for k in ("scorer", "stage", "sample")}


class LeaderboardQuerySerializer(AnalysisQuerySerializer):
    format = serializers.ChoiceField(
        choices=["json", "csv"],
        default="json",
        help_text="`csv`: the rows as a file (nested fields flattened, a "
        "`score:<scorer>` column per scorer).",
    )


class ConfigSpecQuerySerializer(serializers.Serializer):
    """``context["sweep"]``'s config to export; by default its best."""

    config = serializers.CharField(
        required=False,
        min_length=1,
        max_length=64,
        help_text="A `config_hash` of the sweep (default: the leaderboard's best).",
    )

    def validate(self, attrs: dict) -> dict:
        try:
            if "config" in attrs:
                check_config(self.context["sweep"], attrs["config"])
        except AnalysisParameterError as exc:
            raise serializers.ValidationError({exc.param: [exc.message]}) from None
        return attrs


class HeatmapQuerySerializer(AnalysisQuerySerializer):
    x = serializers.CharField(
        required=False,
        max_length=300,
        help_text="An axis: `prompt`, `model`, a param's name; a pipeline's "
        "`<stage>.prompt` and so on (default `prompt`).",
    )
    y = serializers.CharField(
        required=False, max_length=300, help_text="Another axis (default `model`)."
    )

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        known = spec_axes(self.context["sweep"].spec)
        for name in ("x", "y"):
            if name in attrs and attrs[name] not in known:
                raise serializers.ValidationError(
                    {name: [f'unknown axis "{attrs[name]}"; axes: {", ".join(known)}']}
                )
        if "x" in attrs and attrs.get("x") == attrs.get("y"):
            raise serializers.ValidationError({"y": ["x and y must be different axes"]})
        return attrs


class FiltersSerializer(serializers.Serializer):
    scorer = serializers.CharField(allow_null=True)
    stage = serializers.CharField(allow_null=True)
    sample = serializers.IntegerField(allow_null=True)


class FrontMarksSerializer(serializers.Serializer):
    cost = serializers.BooleanField(
        allow_null=True, help_text="On the score-vs-cost-per-run front."
    )
    latency = serializers.BooleanField(
        allow_null=True, help_text="On the score-vs-latency-p50 front."
    )


class StageUsageSerializer(serializers.Serializer):
    stage = serializers.CharField()
    runs = serializers.IntegerField()
    cost_total = serializers.FloatField()
    cost_per_run = serializers.FloatField(allow_null=True)
    latency_ms_mean = serializers.FloatField(allow_null=True)
    cache_hit_rate = serializers.FloatField(allow_null=True)


class AnalysisLeaderboardRowSerializer(LeaderboardRowSerializer):
    scores = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="Each scorer's mean over the config's done runs.",
    )
    runs = serializers.IntegerField(help_text="Finished runs: done and failed.")
    items = serializers.IntegerField(
        help_text="Distinct items its scored runs cover (a guided sweep "
        "ranks configs that saw more items first)."
    )
    error_rate = serializers.FloatField(allow_null=True)
    cache_hit_rate = serializers.FloatField(allow_null=True)
    prompt_tokens = serializers.IntegerField()
    completion_tokens = serializers.IntegerField()
    cost_per_run = serializers.FloatField(allow_null=True)
    cost_total = serializers.FloatField()
    latency_ms_p95 = serializers.FloatField(allow_null=True)
    tied_with_best = serializers.BooleanField(
        help_text="Not told apart from the best (Holm-adjusted p >= 0.05)."
    )
    p_value = serializers.FloatField(
        allow_null=True, help_text="Against the best, Holm-adjusted."
    )
    delta = serializers.FloatField(
        allow_null=True, help_text="Mean per-item difference to the best."
    )
    delta_ci95 = interval("The paired bootstrap's 95% interval of `delta`.")
    paired_items = serializers.IntegerField()
    sample_variance = serializers.FloatField(
        allow_null=True,
        help_text="With samples > 1: the mean over items of the variance "
        "across samples.",
    )
    on_front = FrontMarksSerializer()
    stage_usage = StageUsageSerializer(many=True, default=list, read_only=True)


class ParetoPointSerializer(serializers.Serializer):
    config_hash = serializers.CharField()
    config = serializers.DictField()
    stages = StageChoiceSerializer(many=True, default=list, read_only=True)
    label = serializers.CharField()
    score = serializers.FloatField()
    cost_per_run = serializers.FloatField(required=False)
    latency_ms_p50 = serializers.FloatField(required=False)
    on_front = serializers.BooleanField()
    distance = serializers.FloatField(
        help_text="The score given up: the best front score at no more "
        "cost (latency), minus its own; 0 on the front."
    )


class ParetoSerializer(serializers.Serializer):
    filters = FiltersSerializer()
    cost = ParetoPointSerializer(many=True, help_text="Cheapest first.")
    latency = ParetoPointSerializer(many=True, help_text="Fastest first.")


class MarginalValueSerializer(serializers.Serializer):
    value = serializers.JSONField()
    mean = serializers.FloatField(allow_null=True)
    ci95 = interval()
    n = serializers.IntegerField()
    configs = serializers.IntegerField()


class MarginalAxisSerializer(serializers.Serializer):
    axis = serializers.CharField()
    variance_explained = serializers.FloatField(allow_null=True)
    values = MarginalValueSerializer(many=True)


class MarginalsSerializer(serializers.Serializer):
    filters = FiltersSerializer()
    axes = MarginalAxisSerializer(many=True)


class HeatmapCellSerializer(serializers.Serializer):
    x = serializers.JSONField()
    y = serializers.JSONField()
    mean = serializers.FloatField()
    n = serializers.IntegerField()


class HeatmapSerializer(serializers.Serializer):
    filters = FiltersSerializer()
    x = serializers.CharField(allow_null=True)
    y = serializers.CharField(allow_null=True)
    x_values = serializers.ListField(child=serializers.JSONField())
    y_values = serializers.ListField(child=serializers.JSONField())
    cells = HeatmapCellSerializer(many=True)
