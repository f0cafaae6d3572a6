from __future__ import annotations

from rest_framework import serializers
from rest_framework.validators import UniqueTogetherValidator

from experiments.api.base import projects_for


class ProjectField(serializers.PrimaryKeyRelatedField):
    """A project id among those the caller may see (others read as missing)."""

    def get_queryset(self):
        return projects_for(self.context["request"])


# Objects never move between projects (their runs and cache would), and a
# name is taken once per project: said at the name, not as DRF's generic
# "must make a unique set" for the whole object. (A comment, not a docstring:
# the API schema would describe every resource with it.)
class StaysInProject:
    def get_validators(self):
        return [
            validator
            for validator in super().get_validators()
            if not (
                isinstance(validator, UniqueTogetherValidator)
                and set(validator.fields) == {"project", "name"}
            )
        ]

    def validate(self, attrs):
        moved = self.instance is not None and "project" in attrs
        if moved and attrs["project"] != self.instance.project:
            raise serializers.ValidationError(
                {"project": "Objects cannot move to another project."}
            )
        project = attrs.get("project", getattr(self.instance, "project", None))
        name = attrs.get("name", getattr(self.instance, "name", None))
        model = self.Meta.model
        taken = model.objects.filter(project=project, name=name)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if project is not None and name is not None and taken.exists():
            kind = model._meta.verbose_name
            raise serializers.ValidationError(
                {"name": f"Project {project.name} already has a {kind} named {name}."}
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
