"""System checks for deployment mistakes that settings alone cannot reject."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Warning, register


@register("promptlooper", deploy=False)
def check_production_services(app_configs, **kwargs) -> list:
    problems = []
    if settings.PRODUCTION and not settings.REDIS_URL:
        problems.append(
            Warning(
                "PostgreSQL is configured but REDIS_URL is not: the queue falls "
                "back to the ORM broker and live events to the event log.",
                hint="Set REDIS_URL=redis://host:6379/0 for production.",
                id="promptlooper.W001",
            )
        )
    if settings.Q_CLUSTER.get("orm") and not settings.PRODUCTION:
        workers = settings.Q_CLUSTER["workers"]
        if workers > 1:
            problems.append(
                Warning(
                    f"PROMPTLOOPER_WORKERS={workers} on SQLite: SQLite has one "
                    "writer, so more workers only wait for each other.",
                    hint="Use one worker on SQLite, or PostgreSQL for more.",
                    id="promptlooper.W002",
                )
            )
    return problems
