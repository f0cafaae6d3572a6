"""Experiments (from specs), sweeps and their steering, runs, leaderboards,
exports; the scorer list and the response cache."""

from __future__ import annotations

import csv
import io
import json

import yaml
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from experiments.api.base import (
    WRITE,
    ProjectScopedViewSet,
    api_key_of,
    projects_for,
)
from experiments.api.files import (
    FILE_RESPONSES,
    FORMAT_PARAMETER,
    download,
    export_format,
)
from experiments.api.filters import RunFilter, ScopedFilterBackend, SweepFilter
from experiments.api.ids import id_or_404
from experiments.api.pagination import RunKeysetPagination
from experiments.api.serializers.sweeps import (
    SCORE_VALUES,
    ExperimentSerializer,
    ExperimentSummarySerializer,
    ExperimentSweepSerializer,
    RunDetailSerializer,
    RunSerializer,
    SpecSerializer,
    StartSweepSerializer,
    SteerSerializer,
    SweepSerializer,
    TraceStageSerializer,
    ValidationResultSerializer,
)
from experiments.api.views.events import SweepEventsMixin
from experiments.config_labels import stage_rows
from experiments.csv_safety import escape_cell
from experiments.models import Experiment, Run, Score, Sweep
from experiments.services.access import require_key_scope
from experiments.services.budgets import Budget, start_sweep_within
from experiments.services.experiments import (
    create_experiment,
    validate_experiment_spec,
    validation_report,
)
from experiments.services.model_check import unlisted_model_warnings
from experiments.services.projects import require_role
from experiments.services.sweeps import start_sweep, steer_sweep
from experiments.spec import SpecInvalid
from experiments.spec.errors import SpecError


def _spec_object(data) -> dict:
    if not isinstance(data, dict):
        raise SpecInvalid([SpecError("", "the spec must be a JSON object")])
    return data


class ExperimentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    ProjectScopedViewSet,
):
    """Experiments are created (or updated, by name) from a spec document."""

    queryset = (
        Experiment.objects.select_related("project")
        .with_summary()
        .order_by("project", "name")
    )
    serializer_class = ExperimentSummarySerializer
    filterset_fields = ["project", "name"]
    ordering_fields = ["name", "created_at", "updated_at"]
    roles = {"sweeps_start": WRITE}

    @extend_schema(request=SpecSerializer, responses={201: ExperimentSerializer})
    def create(self, request) -> Response:
        """Store the spec (experiment-spec.md). Its ``project`` names the
        project; an experiment of the same name there takes the new spec."""
        document = _spec_object(request.data)
        project = document.get("project")
        require_key_scope(
            api_key_of(request), project if isinstance(project, str) else "default"
        )
        experiment, _ = create_experiment(
            document, request.user, projects=projects_for(request)
        )
        experiment.sweep_count = experiment.sweeps.count()
        return Response(ExperimentSerializer(experiment).data, status=201)

    @extend_schema(
        request=SpecSerializer,
        responses=ValidationResultSerializer,
        parameters=[
            OpenApiParameter(
                "check_endpoints",
                bool,
                description="Also ask each endpoint for its models (editors); "
                "names it does not list come back as `warnings`.",
            )
        ],
    )
    @action(detail=False, methods=["post"])
    def validate(self, request) -> Response:
        """Check a spec without storing anything: every error with its path,
        and how many runs it would make at what estimated cost."""
        result = validate_experiment_spec(request.data, projects=projects_for(request))
        warnings = []
        if result.ok and _flag(request.query_params.get("check_endpoints")):
            warnings = _check_endpoints(request, result.spec)
        data = validation_report(result, [w.as_dict() for w in warnings])
        return Response(ValidationResultSerializer(data).data)

    @extend_schema(
        responses={
            (200, "application/yaml"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="The spec document, in YAML."
            )
        }
    )
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """The spec as YAML, as it was accepted (runs with ``runexperiment``)."""
        experiment = self.get_object()
        body = yaml.safe_dump(
            experiment.spec_source, sort_keys=False, allow_unicode=True
        )
        return download(body, "yaml", experiment.name)

    @extend_schema(request=None, responses=ExperimentSweepSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="sweeps")
    def sweeps(self, request, pk=None) -> Response:
        """The experiment's sweeps, newest first, each with its best score."""
        experiment = self.get_object()
        sweeps = experiment.sweeps.select_related("experiment").with_best_score()
        page = self.paginate_queryset(sweeps)
        data = ExperimentSweepSerializer(page, many=True).data
        return self.get_paginated_response(data)

    @extend_schema(request=StartSweepSerializer, responses={202: SweepSerializer})
    @sweeps.mapping.post
    def sweeps_start(self, request, pk=None) -> Response:
        """Queue a sweep of the experiment's current spec; the worker runs it."""
        experiment = self.get_object()
        serializer = StartSweepSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        options = serializer.validated_data
        budget = Budget(
            max_runs=options.get("max_runs"),
            max_calls=options.get("max_calls"),
            max_cost=options.get("max_cost"),
        )
        how = {
            "no_cache": options["no_cache"],
            "concurrency": options.get("concurrency"),
            "strategy": options.get("strategy"),
        }
        # Over budget: BudgetExceeded, a 400 in the API's one error shape
        # whose detail gives the estimate.
        if budget == Budget():  # no estimate to check
            sweep = start_sweep(experiment, request.user, **how)
        else:
            sweep, _ = start_sweep_within(experiment, request.user, budget, **how)
        return Response(SweepSerializer(sweep).data, status=status.HTTP_202_ACCEPTED)


def _flag(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "yes", "on")


def _check_endpoints(request, spec: dict) -> list[SpecError]:
    """Outbound calls with the project's stored keys: editors only, as the
    endpoint's own connection test."""
    projects = projects_for(request)
    require_key_scope(api_key_of(request), spec["project"])
    project = projects.filter(name=spec["project"]).first()
    if project is not None:
        require_role(project, request.user, "editor")
    return unlisted_model_warnings(spec, projects)


class SweepViewSet(
    SweepEventsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ProjectScopedViewSet,
):
    """Sweeps: progress counters, steering, runs, export and events (the live
    stream's polling fallback); the leaderboard and the other analyses are
    ``SweepAnalysisViewSet``'s (views/analysis.py)."""

    queryset = Sweep.objects.select_related("experiment")
    serializer_class = SweepSerializer
    project_path = "experiment__project"
    filterset_class = SweepFilter
    ordering_fields = ["created_at", "status"]
    roles = {"pause": WRITE, "resume": WRITE, "cancel": WRITE, "steer": WRITE}

    def _steer(self, action_name: str, value: int | None = None) -> Response:
        sweep = steer_sweep(self.get_object(), action_name, self.request.user, value)
        sweep.refresh_from_db()
        return Response(SweepSerializer(sweep).data)

    @extend_schema(request=None, responses=SweepSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None) -> Response:
        """Stop taking new runs (in-flight calls finish and are kept)."""
        return self._steer("pause")

    @extend_schema(request=None, responses=SweepSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None) -> Response:
        return self._steer("resume")

    @extend_schema(request=None, responses=SweepSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None) -> Response:
        """Mark the runs not yet done cancelled; the sweep ends."""
        return self._steer("cancel")

    @extend_schema(request=SteerSerializer, responses=SweepSerializer)
    @action(detail=True, methods=["post"])
    def steer(self, request, pk=None) -> Response:
        """Change the sweep's concurrency; it applies within a second."""
        serializer = SteerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._steer("concurrency", serializer.validated_data["concurrency"])

    @extend_schema(parameters=[FORMAT_PARAMETER], responses=FILE_RESPONSES)
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """One row (csv) or line (jsonl) per run, streamed."""
        sweep = self.get_object()
        fmt = export_format(request)
        rows = _export_rows(sweep)
        body = (
            _csv_lines(rows, sweep)
            if fmt == "csv"
            else (json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        )
        return download(body, fmt, f"sweep-{sweep.pk}")


class SweepRunViewSet(mixins.ListModelMixin, ProjectScopedViewSet):
    """A sweep's runs in cursor pages (fast however deep), by id or sorted by
    a column (``ordering``), filtered by config axes, item, scores, errors."""

    serializer_class = RunSerializer
    project_path = "sweep__experiment__project"
    filterset_class = RunFilter
    pagination_class = RunKeysetPagination
    # The pagination sorts (``ordering``), so that its cursor knows the order.
    filter_backends = [ScopedFilterBackend]
    queryset = Run.objects.all()

    def get_queryset(self):
        sweep = get_object_or_404(
            Sweep.objects.filter(experiment__project__in=projects_for(self.request)),
            pk=id_or_404(self.kwargs["sweep_pk"]),
        )
        # Only the listed columns: a run's messages, answer and raw response
        # are its detail's, and reading them made a page several times slower.
        listed = [
            name for name in RunSerializer.Meta.fields if name != "scores_by_scorer"
        ]
        runs = Run.objects.filter(sweep=sweep).only(*listed)
        return runs.prefetch_related(SCORE_VALUES)


class RunViewSet(mixins.RetrieveModelMixin, ProjectScopedViewSet):
    """One run: rendered messages, output, scores, raw response, timing."""

    queryset = Run.objects.select_related("item").prefetch_related(
        Prefetch("scores", queryset=Score.objects.order_by("scorer"))
    )
    serializer_class = RunDetailSerializer
    project_path = "sweep__experiment__project"


EXPORT_FIELDS = ["run_id", "config_hash", "prompt", "endpoint", "model",
                 "served_model", "params", "stages",
                 "item_id", "sample_index", "status", "score", "cache_hit",
                 "latency_ms", "cost", "prompt_tokens", "completion_tokens",
                 "error_kind", "error_message", "output_text", "trace"]  # fmt: skip
JSON_FIELDS = {"params", "stages", "trace"}  # a CSV cell holds them as JSON


def _export_rows(sweep: Sweep):
    runs = (
        sweep.runs.order_by("id")
        .prefetch_related("scores")
        .only(*[f for f in ("id", "config_hash", "config", "item_id", "sample_index",
              "status", "score", "cache_hit", "latency_ms", "cost", "prompt_tokens",
              "completion_tokens", "error_kind", "error_message", "output_text",
              "served_model", "trace")])
    )  # fmt: skip
    for run in runs.iterator(chunk_size=1000):
        config = run.config or {}
        yield {
            "run_id": run.pk,
            "config_hash": run.config_hash,
            "prompt": config.get("prompt"),
            "endpoint": config.get("endpoint"),
            "model": config.get("model"),
            "served_model": run.served_model,
            "params": config.get("params"),
            # A pipeline's choice per stage, and what each stage sent and got.
            "stages": stage_rows(config) or None,
            "item_id": run.item_id,
            "sample_index": run.sample_index,
            "status": run.status,
            "score": run.score,
            "cache_hit": run.cache_hit,
            "latency_ms": run.latency_ms,
            "cost": run.cost,
            "prompt_tokens": run.prompt_tokens,
            "completion_tokens": run.completion_tokens,
            "error_kind": run.error_kind,
            "error_message": run.error_message,
            "output_text": run.output_text,
            "trace": TraceStageSerializer(run.trace, many=True).data
            if run.trace
            else None,
            "scores": {s.scorer: s.value for s in run.scores.all()},
        }


def _csv_lines(rows, sweep: Sweep):
    scorers = list(
        Score.objects.filter(run__sweep=sweep)
        .values_list("scorer", flat=True)
        .distinct()
    )
    scorers.sort()
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(EXPORT_FIELDS + [f"score:{name}" for name in scorers])
    yield take()
    for row in rows:
        values = [
            json.dumps(row[f]) if f in JSON_FIELDS and row[f] is not None else row[f]
            for f in EXPORT_FIELDS
        ]
        values = ["" if v is None else v for v in values]
        values += [row["scores"].get(name, "") for name in scorers]
        # Text (model output, names) could be a formula in a spreadsheet.
        writer.writerow([escape_cell(v) if isinstance(v, str) else v for v in values])
        yield take()
