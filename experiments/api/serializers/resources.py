"""Endpoints, prompts and datasets."""

from __future__ import annotations

from rest_framework import serializers

from experiments.api.serializers.common import (
    MessageSerializer,
    ProjectField,
    StaysInProject,
)
from experiments.models import Dataset, DatasetItem, Endpoint, Prompt, PromptVersion
from experiments.nul import NUL_MESSAGE, nul_path
from experiments.spec import templates


class EndpointSerializer(StaysInProject, serializers.ModelSerializer):
    project = ProjectField()
    api_key = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        trim_whitespace=True,
        style={"input_type": "password"},
        help_text="Write-only: stored encrypted, never returned. Empty clears it.",
    )
    api_key_set = serializers.SerializerMethodField()

    class Meta:
        model = Endpoint
        fields = ["id", "project", "name", "api_key", "api_key_set",
                  *Endpoint.SETTINGS_FIELDS, "created_at", "updated_at"]  # fmt: skip
        extra_kwargs = {
            "max_concurrency": {"min_value": 1, "max_value": 1024},
            "timeout_s": {"min_value": 0.1, "max_value": 3600},
            "rpm": {"min_value": 1, "max_value": 10**9},
            "tpm": {"min_value": 1, "max_value": 10**12},
        }

    def get_api_key_set(self, endpoint: Endpoint) -> bool:
        return bool(endpoint.api_key)

    def validate_prices(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("Give an object: model -> prices.")
        where = nul_path(value)
        if where is not None:
            raise serializers.ValidationError(f"{where}: {NUL_MESSAGE}.")
        for model, price in value.items():
            if not isinstance(price, dict) or not all(
                key in ("input_per_mtok", "output_per_mtok")
                and isinstance(amount, int | float)
                and not isinstance(amount, bool)
                and amount >= 0
                for key, amount in price.items()
            ):
                raise serializers.ValidationError(
                    f'{model}: give {{"input_per_mtok": n, "output_per_mtok": n}} '
                    "with non-negative numbers."
                )
        return value


class ConnectionResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    message = serializers.CharField()
    models = serializers.ListField(child=serializers.CharField())


def check_messages(messages: list[dict]) -> list[dict]:
    errors = {}
    for index, message in enumerate(messages):
        problem = templates.syntax_error(message["content"])
        if problem:
            errors[index] = {"content": [problem]}
    if errors:
        raise serializers.ValidationError(errors)
    return messages


class PromptVersionSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = PromptVersion
        fields = ["number", "messages", "content_hash", "created_by", "created_at"]


class PromptSerializer(StaysInProject, serializers.ModelSerializer):
    project = ProjectField()
    messages = MessageSerializer(
        many=True,
        help_text="The latest version's messages. Writing different messages "
        "adds a version.",
    )
    version = serializers.SerializerMethodField()

    class Meta:
        model = Prompt
        fields = ["id", "project", "name", "description", "messages", "version",
                  "created_at"]  # fmt: skip

    def get_version(self, prompt: Prompt) -> int | None:
        return prompt.latest.number if prompt.latest else None

    def to_representation(self, prompt: Prompt) -> dict:
        prompt.latest = prompt.latest_version  # one query, used twice
        prompt.messages = prompt.latest.messages if prompt.latest else []
        return super().to_representation(prompt)

    def validate_messages(self, messages: list[dict]) -> list[dict]:
        if not messages:
            raise serializers.ValidationError("Give at least one message.")
        return check_messages(messages)


class PromptDiffSerializer(serializers.Serializer):
    prompt = serializers.IntegerField()
    from_version = serializers.IntegerField()
    to_version = serializers.IntegerField()
    diff = serializers.CharField(help_text="A unified diff of the messages.")


class DatasetSerializer(StaysInProject, serializers.ModelSerializer):
    project = ProjectField()
    items = serializers.SerializerMethodField()

    class Meta:
        model = Dataset
        fields = ["id", "project", "name", "description", "items", "created_at",
                  "updated_at"]  # fmt: skip

    def get_items(self, dataset: Dataset) -> int:
        counted = getattr(dataset, "active_count", None)
        return counted if counted is not None else dataset.active_items().count()


class DatasetItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = DatasetItem
        fields = ["id", "position", "input", "expected", "tags"]


class DatasetImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A .jsonl or .csv file.")
    mode = serializers.ChoiceField(
        choices=["append", "replace"],
        default="append",
        help_text="append adds the items; replace makes them the dataset's content.",
    )


class ImportResultSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    kept = serializers.IntegerField()
    archived = serializers.IntegerField()
    deleted = serializers.IntegerField()
