from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand

from experiments.services.setup import ensure_admin, load_demo, queue_demo_sweep


class Command(BaseCommand):
    help = (
        "Create the admin user if there is no superuser (the password is printed "
        "once, or taken from PROMPTLOOPER_ADMIN_PASSWORD) and load the demo project."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-demo", action="store_true", help="skip the demo")

    def handle(self, *args, no_demo: bool, **options) -> None:
        given = os.environ.get("PROMPTLOOPER_ADMIN_PASSWORD") or None
        user, password = ensure_admin(settings.ADMIN_USERNAME, given)
        if password is None:
            self.stdout.write(
                f"Admin user: {user.get_username()} (exists; password as set before)"
            )
        elif given:
            self.stdout.write(
                f"Admin user created: {user.get_username()} "
                "(password from PROMPTLOOPER_ADMIN_PASSWORD)"
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"Admin user created: {user.get_username()} / password: "
                    f"{password}\n  (shown only this once; change it in the admin)"
                )
            )
        if not no_demo:
            self.load_demos(user)

    def load_demos(self, user) -> None:
        experiments = load_demo(user)
        first = experiments[0]
        names = ", ".join(f'"{e.name}"' for e in experiments)
        self.stdout.write(
            f'Demo project "{first.project.name}" loaded: experiments {names}, '
            f'dataset "{first.dataset.name}" '
            f"({first.dataset.active_items().count()} items)"
        )
        for experiment in experiments:
            sweep = queue_demo_sweep(experiment)
            if sweep is not None:
                self.stdout.write(
                    f'Demo sweep {sweep.pk} ("{experiment.name}") queued: the '
                    "worker runs it against the LLM simulator; see Sweeps and "
                    "Runs in the admin."
                )
