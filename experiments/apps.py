from django.apps import AppConfig


class ExperimentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "experiments"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from experiments.db_functions import register_sqlite_functions
        from promptlooper_site import checks  # noqa: F401  (registers checks)

        post_migrate.connect(ensure_schedules, sender=self)
        connection_created.connect(register_sqlite_functions)


def ensure_schedules(**kwargs) -> None:
    """The worker re-enqueues sweeps whose runner died (the Redis broker does
    not redeliver a task whose worker was killed: dependency-notes.md), and
    thins finished sweeps' event logs once a day (EVENT_RETENTION_DAYS)."""
    from django_q.models import Schedule

    Schedule.objects.get_or_create(
        func="experiments.tasks.recover_stale_sweeps",
        defaults={
            "name": "recover stale sweeps",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )
    Schedule.objects.get_or_create(
        func="experiments.tasks.thin_sweep_events",
        defaults={
            "name": "thin sweep event logs",
            "schedule_type": Schedule.DAILY,
            "repeats": -1,
        },
    )
