"""Type aliases the services, the engine and their callers share."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

# Who asks a service for something: a signed-in user, the anonymous user a
# request carries before it signs in, or None for the trusted command line.
# (A string, so importing this needs no app registry.)
UserLike: TypeAlias = "User | AnonymousUser | None"
