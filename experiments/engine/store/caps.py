"""A sweep's caps (``Sweep.caps``): read once, checked against its counters,
and the stop when one is reached (``engine.caps``)."""

from __future__ import annotations

from django.db import transaction

from experiments.engine.events import publish
from experiments.models import Run, Sweep


def caps_of(sweep_id: int) -> dict:
    return Sweep.objects.values_list("caps", flat=True).get(pk=sweep_id) or {}


def cap_reached(sweep_id: int, caps: dict) -> str:
    """Why the sweep must stop (a call or cost cap reached), or ""."""
    calls, cost = Sweep.objects.values_list("calls", "cost").get(pk=sweep_id)
    max_calls, max_cost = caps.get("max_calls"), caps.get("max_cost")
    if max_calls is not None and calls >= max_calls:
        return f"stopped at its cap: max_calls {max_calls} reached ({calls} calls)"
    if max_cost is not None and cost >= max_cost:
        return f"stopped at its cap: max_cost ${max_cost:.4f} reached (${cost:.4f})"
    return ""


@transaction.atomic
def stop_at_cap(sweep_id: int, reason: str) -> bool:
    """Cancel the sweep's pending runs and end it, ``error_message`` saying
    why (calls in flight still land). False if it had already ended."""
    sweep = Sweep.objects.select_for_update().get(pk=sweep_id)
    if sweep.is_final:
        return False
    sweep.transition(Sweep.Status.CANCELLED)
    sweep.error_message = reason
    sweep.save(update_fields=["status", "finished_at", "error_message"])
    sweep.runs.filter(status=Run.Status.PENDING).update(status=Run.Status.CANCELLED)
    publish(sweep_id, "sweep.status", {"status": sweep.status, "error": reason})
    return True
