from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from experiments.api.serializers.common import ProjectField
from experiments.models import ApiKey, Membership, Project
from experiments.services.projects import role_of


class ProjectSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField(help_text="Your role in the project.")

    class Meta:
        model = Project
        fields = ["id", "name", "description", "role", "created_at"]

    def get_role(self, project: Project) -> str | None:
        return role_of(project, self.context["request"].user)


class MemberSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Membership.Role.choices)

    def validate_username(self, value: str) -> str:
        if not get_user_model().objects.filter(username=value).exists():
            raise serializers.ValidationError(f'No user "{value}".')
        return value


class ApiKeySerializer(serializers.ModelSerializer):
    project = ProjectField(required=False, allow_null=True)
    revoked = serializers.SerializerMethodField()

    class Meta:
        model = ApiKey
        fields = [
            "id",
            "name",
            "prefix",
            "project",
            "created_at",
            "last_used_at",
            "expires_at",
            "read_only",
            "revoked",
        ]
        read_only_fields = ["prefix", "created_at", "last_used_at"]

    def get_revoked(self, api_key: ApiKey) -> bool:
        return api_key.revoked_at is not None


class NewApiKeySerializer(ApiKeySerializer):
    key = serializers.CharField(
        read_only=True, help_text="The key itself, shown this once only."
    )

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]
