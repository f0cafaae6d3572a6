"""Steering from a socket: the API's checks, then the one steering service."""

from __future__ import annotations

from experiments.exceptions import Forbidden, NotFound
from experiments.live.auth import Caller, still_valid
from experiments.models import Sweep
from experiments.services.access import require_project_role
from experiments.services.sweeps import steer_sweep


def steer(caller: Caller, sweep_id: int, action: str, value: int | None) -> Sweep:
    """``steer_sweep`` as the caller, with its API key's project limit; the
    outcome reaches every viewer as the ``steering`` event it publishes.
    Raises a ``DomainError`` (its message goes back on the socket)."""
    if not still_valid(caller):
        raise Forbidden("Your credentials are no longer valid; reconnect.")
    sweep = (
        Sweep.objects.select_related("experiment__project").filter(pk=sweep_id).first()
    )
    if sweep is None:
        raise NotFound(f"sweep {sweep_id} no longer exists")
    require_project_role(
        sweep.experiment.project, caller.user, "editor", caller.api_key
    )
    return steer_sweep(sweep, action, caller.user, value)
