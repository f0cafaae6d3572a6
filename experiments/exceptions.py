"""Domain errors. The API maps each to an HTTP status in one table."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: a request the domain refuses, with a readable message."""


class InvalidRequest(DomainError):
    """The request is incomplete or contradictory as given (400)."""


class NotFound(DomainError):
    pass


class Conflict(DomainError):
    """The request clashes with stored state (a duplicate name, a final sweep)."""


class Forbidden(DomainError):
    pass


class InvalidTransition(Conflict):
    """A sweep asked to change to a status its current one cannot reach
    (``Sweep.TRANSITIONS``): resuming a running sweep, pausing a paused one."""
