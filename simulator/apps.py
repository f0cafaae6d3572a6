from __future__ import annotations

from django.apps import AppConfig


class SimulatorAppConfig(AppConfig):
    """A Django app only so ``manage.py simulate_llm`` exists; no models."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "simulator"
    verbose_name = "LLM simulator"
