"""Experiments, sweeps, runs and what is computed from them."""

from __future__ import annotations

from rest_framework import serializers

from experiments.models import Experiment, Run, Score, Sweep
from experiments.spec.concurrency import ENDPOINT_LIMIT, SWEEP_LIMIT


class ExperimentSerializer(serializers.ModelSerializer):
    spec = serializers.JSONField(
        source="spec_source", help_text="The spec document as it was accepted."
    )
    sweeps = serializers.SerializerMethodField()

    class Meta:
        model = Experiment
        fields = ["id", "project", "name", "description", "dataset", "spec",
                  "sweeps", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields

    def get_sweeps(self, experiment: Experiment) -> int:
        counted = getattr(experiment, "sweep_count", None)
        return counted if counted is not None else experiment.sweeps.count()


class SpecSerializer(serializers.Serializer):
    """An experiment spec (experiment-spec.md): validated as a whole by the
    spec validator, whose errors carry the same field paths as the CLI's."""

    def to_internal_value(self, data):
        return data

    def to_representation(self, instance):
        return instance

    class Meta:
        # drf-spectacular reads this as a free-form object.
        swagger_schema_fields = {"type": "object"}


class InFlightCapSerializer(serializers.Serializer):
    endpoint = serializers.CharField()
    effective = serializers.IntegerField(
        help_text="Calls in flight to this endpoint at most."
    )
    limited_by = serializers.ChoiceField(
        choices=[SWEEP_LIMIT, ENDPOINT_LIMIT],
        help_text="The setting that sets the cap (the lower of the two).",
    )
    sweep_concurrency = serializers.IntegerField()
    max_concurrency = serializers.IntegerField()


class ValidationResultSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    errors = serializers.ListField(child=serializers.DictField())
    runs = serializers.IntegerField()
    configs = serializers.IntegerField()
    items = serializers.IntegerField()
    samples = serializers.IntegerField()
    estimated_cost = serializers.FloatField(allow_null=True)
    unpriced_models = serializers.ListField(child=serializers.CharField())
    summary = serializers.CharField()
    # With ?check_endpoints=true: model names an endpoint does not list.
    warnings = serializers.ListField(child=serializers.DictField())
    concurrency = InFlightCapSerializer(many=True)


class SweepSerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="experiment.project_id", read_only=True)
    duration_s = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = Sweep
        fields = ["id", "experiment", "project", "status", "strategy", "concurrency",
                  "no_cache", "planned", "done", "errors", "cache_hits", "calls",
                  "prompt_tokens", "completion_tokens", "cost", "estimated_cost",
                  "created_at", "started_at", "finished_at", "duration_s",
                  "error_message"]  # fmt: skip
        read_only_fields = fields


class StartSweepSerializer(serializers.Serializer):
    strategy = serializers.DictField(
        required=False,
        help_text='Overrides of the spec\'s strategy, e.g. {"type": "random", '
        '"budget": 50, "seed": 1}.',
    )
    no_cache = serializers.BooleanField(
        default=False, help_text="Skip reading the cache (fresh responses are stored)."
    )
    concurrency = serializers.IntegerField(required=False, min_value=1, max_value=1024)


class SteerSerializer(serializers.Serializer):
    concurrency = serializers.IntegerField(min_value=1, max_value=1024)


class ScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Score
        fields = ["scorer", "value", "weight", "detail", "error"]


class RunSerializer(serializers.ModelSerializer):
    class Meta:
        model = Run
        fields = ["id", "sweep", "config_hash", "config", "item", "sample_index",
                  "status", "cache_hit", "score", "latency_ms", "cost",
                  "prompt_tokens", "completion_tokens", "served_model",
                  "error_kind", "error_message", "finished_at"]  # fmt: skip
        read_only_fields = fields


class RunDetailSerializer(RunSerializer):
    scores = ScoreSerializer(many=True, read_only=True)
    input = serializers.JSONField(source="item.input", read_only=True)
    expected = serializers.JSONField(source="item.expected", read_only=True)

    class Meta(RunSerializer.Meta):
        fields = [*RunSerializer.Meta.fields, "input", "expected", "messages",
                  "output_text", "output_json", "raw_response", "cache_key",
                  "attempts", "scores"]  # fmt: skip
        read_only_fields = fields


class LeaderboardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    config_hash = serializers.CharField()
    config = serializers.DictField()
    score = serializers.FloatField(allow_null=True)
    n = serializers.IntegerField()
    ci95 = serializers.ListField(child=serializers.FloatField(), allow_null=True)
    latency_ms_p50 = serializers.FloatField(allow_null=True)
    cost = serializers.FloatField(allow_null=True)
    errors = serializers.IntegerField()


class CacheStatsSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    entries = serializers.IntegerField()
    hits = serializers.IntegerField()
    calls_saved = serializers.IntegerField()
    cost_saved = serializers.FloatField()


class CachePurgeSerializer(serializers.Serializer):
    project = serializers.IntegerField(help_text="The project whose cache to purge.")
    experiment = serializers.IntegerField(required=False)
    model = serializers.CharField(required=False, max_length=200)
    endpoint = serializers.IntegerField(required=False)
    # An age past a date's range (year 1) would overflow: 100 years is plenty.
    older_than_days = serializers.FloatField(
        required=False, min_value=0, max_value=36500
    )
    all = serializers.BooleanField(
        default=False, help_text="Purge every entry of the project."
    )


class PurgeResultSerializer(serializers.Serializer):
    deleted = serializers.IntegerField()


class ScorerSerializer(serializers.Serializer):
    type = serializers.CharField()
    description = serializers.CharField()
    options = serializers.DictField()
    required = serializers.ListField(child=serializers.CharField())
    one_of_required = serializers.ListField(child=serializers.ListField())
    template_options = serializers.ListField(child=serializers.CharField())
    builtin = serializers.BooleanField()
