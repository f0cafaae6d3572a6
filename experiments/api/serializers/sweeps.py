"""Experiments, sweeps, runs and what is computed from them."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from experiments.models import Experiment, Promotion, Run, Score, Sweep
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


class LastSweepSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Sweep.Status.choices)
    planned = serializers.IntegerField()
    done = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    best_score = serializers.FloatField(
        allow_null=True,
        help_text="The best config's mean score on the sweep's latest "
        "leaderboard (so far, while it runs); null before its first.",
    )


class CurrentLabelSerializer(serializers.ModelSerializer):
    sweep = serializers.IntegerField(source="sweep_number")
    promoted_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Promotion
        fields = ["label", "config_hash", "sweep", "promoted_by", "promoted_at"]
        read_only_fields = fields


class ExperimentSummarySerializer(ExperimentSerializer):
    """An experiment with its last sweep and its labels' current promotions,
    read from ``Experiment.objects.with_summary()`` (no query per row)."""

    last_sweep = serializers.SerializerMethodField()
    labels = serializers.SerializerMethodField()

    class Meta(ExperimentSerializer.Meta):
        fields = [*ExperimentSerializer.Meta.fields, "last_sweep", "labels"]
        read_only_fields = fields

    @extend_schema_field(LastSweepSerializer(allow_null=True))
    def get_last_sweep(self, experiment: Experiment) -> dict | None:
        if experiment.last_sweep_id is None:
            return None
        prefix = "last_sweep_"
        names = [name for name in LastSweepSerializer().fields if name != "id"]
        row = {name: getattr(experiment, prefix + name) for name in names}
        return LastSweepSerializer({"id": experiment.last_sweep_id, **row}).data

    @extend_schema_field(CurrentLabelSerializer(many=True))
    def get_labels(self, experiment: Experiment) -> list:
        """Each label's current promotion (its latest), by label."""
        current: dict[str, Promotion] = {}
        for promotion in experiment.promotion_history:
            current.setdefault(promotion.label, promotion)
        rows = [current[label] for label in sorted(current)]
        return CurrentLabelSerializer(rows, many=True).data


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


class StageModelSerializer(serializers.Serializer):
    endpoint = serializers.CharField()
    model = serializers.CharField()


class StageOutlineSerializer(serializers.Serializer):
    name = serializers.CharField(help_text='"main" for a single-stage spec.')
    prompts = serializers.ListField(
        child=serializers.CharField(), help_text="The stage's prompt names."
    )
    models = StageModelSerializer(many=True)
    params = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Per param axis, how many values it tries.",
    )
    choices = serializers.IntegerField(
        help_text="The stage's prompts x models x param values."
    )


class ValidationResultSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    errors = serializers.ListField(child=serializers.DictField())
    runs = serializers.IntegerField()
    configs = serializers.IntegerField()
    items = serializers.IntegerField()
    samples = serializers.IntegerField()
    estimated_cost = serializers.FloatField(allow_null=True)
    grid_runs = serializers.IntegerField(
        help_text="The full grid's runs (configs x items x samples), to compare "
        "a budget's `runs` with (random, guided)."
    )
    grid_estimated_cost = serializers.FloatField(
        allow_null=True, help_text="The full grid's estimated cost."
    )
    unpriced_models = serializers.ListField(child=serializers.CharField())
    summary = serializers.CharField()
    # With ?check_endpoints=true: model names an endpoint does not list.
    warnings = serializers.ListField(child=serializers.DictField())
    concurrency = InFlightCapSerializer(many=True)
    stages = StageOutlineSerializer(
        many=True, help_text="The stages in order (one for a single-stage spec)."
    )
    unique_calls = serializers.IntegerField(
        help_text="Estimated requests: a stage's call is made once per item, "
        "sample and choice of the stages up to it (an upper bound when a "
        "budget leaves configs out). Cache hits are not predicted."
    )
    naive_calls = serializers.IntegerField(
        help_text="Runs x stages: the requests if no stage call were shared."
    )


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


class ExperimentSweepSerializer(SweepSerializer):
    """A sweep in its experiment's history, with its best score."""

    best_score = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="The best config's mean score on the sweep's latest "
        "leaderboard (so far, while it runs); null before its first.",
    )

    class Meta(SweepSerializer.Meta):
        fields = [*SweepSerializer.Meta.fields, "best_score"]
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
    # A budget, as agents have over MCP: refused at the start when the
    # estimate exceeds it; a running sweep stops at max_calls / max_cost.
    max_runs = serializers.IntegerField(
        required=False, min_value=1, help_text="Refuse a sweep planned at more runs."
    )
    max_calls = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Refuse a sweep estimated at more calls; stop one at this many.",
    )
    max_cost = serializers.FloatField(
        required=False,
        min_value=0,
        help_text="USD: refuse a sweep estimated above it (or with a model "
        "without a price); stop one that spends it.",
    )


class SteerSerializer(serializers.Serializer):
    concurrency = serializers.IntegerField(min_value=1, max_value=1024)


class ScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Score
        fields = ["scorer", "value", "weight", "detail", "error"]


# What a list of runs prefetches for RunSerializer's ``scores_by_scorer``.
# (Score's own ordering, by run, would join the runs to sort by their id.)
SCORE_VALUES = Prefetch(
    "scores",
    queryset=Score.objects.only("run_id", "scorer", "value").order_by("scorer"),
)


class RunSerializer(serializers.ModelSerializer):
    scores_by_scorer = serializers.SerializerMethodField(
        help_text="Each scorer's score by scorer name (`score` is their weighted mean)."
    )

    class Meta:
        model = Run
        fields = ["id", "sweep", "config_hash", "config", "item", "sample_index",
                  "status", "cache_hit", "score", "scores_by_scorer", "latency_ms",
                  "cost",
                  "prompt_tokens", "completion_tokens", "served_model",
                  "error_kind", "error_message", "finished_at"]  # fmt: skip
        read_only_fields = fields

    def get_scores_by_scorer(self, run: Run) -> dict[str, float]:
        return {score.scorer: score.value for score in run.scores.all()}


# A trace stage's keys other than ``stage``: always in the response, null
# where the stage never got that far.
_NULL_IF_MISSING = {"allow_null": True, "default": None, "read_only": True}


class TraceStageSerializer(serializers.Serializer):
    """One stage of a pipeline run. A stage that failed before its call (an
    earlier answer that is not JSON, a template that cannot render) has only
    ``stage``, ``messages`` (null) and ``error``: the rest read null."""

    stage = serializers.CharField(read_only=True)
    messages = serializers.ListField(child=serializers.DictField(), **_NULL_IF_MISSING)
    output = serializers.CharField(**_NULL_IF_MISSING)
    prompt_tokens = serializers.IntegerField(**_NULL_IF_MISSING)
    completion_tokens = serializers.IntegerField(**_NULL_IF_MISSING)
    latency_ms = serializers.FloatField(**_NULL_IF_MISSING)
    cost = serializers.FloatField(**_NULL_IF_MISSING)
    cache_key = serializers.CharField(**_NULL_IF_MISSING)
    cache_hit = serializers.BooleanField(**_NULL_IF_MISSING)
    error = serializers.CharField(default="", read_only=True)


class RunDetailSerializer(RunSerializer):
    scores = ScoreSerializer(many=True, read_only=True)
    input = serializers.JSONField(source="item.input", read_only=True)
    expected = serializers.JSONField(source="item.expected", read_only=True)
    # Only here: a trace holds every stage's messages and answer, too much
    # for a page of runs.
    trace = TraceStageSerializer(
        many=True,
        read_only=True,
        allow_null=True,
        help_text="A pipeline run's stages in order (null for a single-stage "
        "run): the stages it reached, each with its rendered messages, answer, "
        "tokens, latency, cost, cache key, cache hit and error.",
    )

    class Meta(RunSerializer.Meta):
        fields = [*RunSerializer.Meta.fields, "input", "expected", "messages",
                  "output_text", "output_json", "raw_response", "cache_key",
                  "attempts", "scores", "trace"]  # fmt: skip
        read_only_fields = fields


class StageChoiceSerializer(serializers.Serializer):
    stage = serializers.CharField()
    prompt = serializers.CharField()
    endpoint = serializers.CharField()
    model = serializers.CharField()
    params = serializers.DictField()


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
    stages = StageChoiceSerializer(
        many=True,
        default=list,
        read_only=True,
        help_text="A pipeline config's choice per stage, in order (``config`` "
        "is the last stage's); empty for a single-stage config.",
    )


class CacheStatsSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    entries = serializers.IntegerField()
    hits = serializers.IntegerField()
    calls_saved = serializers.IntegerField()
    cost_saved = serializers.FloatField()


class CacheExperimentStatsSerializer(serializers.Serializer):
    experiment = serializers.IntegerField()
    name = serializers.CharField()
    entries = serializers.IntegerField(
        help_text="The entries its runs name: what purging the experiment deletes."
    )
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
