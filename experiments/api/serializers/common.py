from __future__ import annotations

from rest_framework import serializers

from experiments.api.base import projects_for


class ProjectField(serializers.PrimaryKeyRelatedField):
    """A project id among those the caller may see (others read as missing)."""

    def get_queryset(self):
        return projects_for(self.context["request"])


class StaysInProject:
    """Objects never move between projects (their runs and cache would)."""

    def validate(self, attrs):
        moved = self.instance is not None and "project" in attrs
        if moved and attrs["project"] != self.instance.project:
            raise serializers.ValidationError(
                {"project": "Objects cannot move to another project."}
            )
        return super().validate(attrs)


class MessageSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=["system", "user", "assistant"])
    content = serializers.CharField(allow_blank=True, trim_whitespace=False)

    def validate(self, attrs):
        # A PATCH makes DRF skip missing fields, nested ones too; but messages
        # are always sent whole (they make a new version).
        required = "This field is required."
        missing = {name: required for name in self.fields if name not in attrs}
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class ErrorItemSerializer(serializers.Serializer):
    path = serializers.CharField()
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """The shape of every error response."""

    detail = serializers.CharField()
    errors = ErrorItemSerializer(many=True)
