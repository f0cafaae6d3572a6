"""The dashboard's session: who is signed in, and the sign-in form."""

from __future__ import annotations

from rest_framework import serializers

from experiments.models import Membership


class SessionProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="project.pk")
    name = serializers.CharField(source="project.name")
    role = serializers.ChoiceField(
        choices=Membership.Role.choices,
        help_text="Your role there (owner for a superuser; viewer for a "
        "read-only API key).",
    )


class SessionSerializer(serializers.Serializer):
    signed_in = serializers.BooleanField(
        help_text="False when no one is signed in (then the user name is empty "
        "and there are no projects)."
    )
    username = serializers.CharField(allow_blank=True)
    is_superuser = serializers.BooleanField()
    projects = SessionProjectSerializer(
        many=True, help_text="The projects you can see, by name, with your role."
    )


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, style={"input_type": "password"}
    )
