"""App configs that keep every process's start cheap.

daphne's own ``DaphneConfig`` imports ``daphne.server`` (Twisted, autobahn,
OpenSSL: about 0.14 s) when the app registry loads, in every process: each
``manage.py`` command, worker and test run. Only ``runserver`` needs the
server, and daphne's ``runserver`` command imports it itself, before it
serves; ``python -m daphne`` (``runstack``) does not use the app at all.
"""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig, apps
from django.core import checks


class DaphneConfig(AppConfig):
    """daphne's app (its ASGI ``runserver``) without its import-time server."""

    name = "daphne"
    label = "daphne"
    verbose_name = "Daphne"

    def ready(self) -> None:
        checks.register(check_daphne_before_staticfiles, checks.Tags.staticfiles)


def check_daphne_before_staticfiles(app_configs: Any, **kwargs: Any) -> list:
    """daphne.E001, which daphne's own check would raise wrongly here: it looks
    for its own config class. The first app listed wins a command name, so
    daphne must precede staticfiles for ``runserver`` to be the ASGI one."""
    labels = [config.label for config in apps.get_app_configs()]
    if "staticfiles" in labels and labels.index("daphne") > labels.index("staticfiles"):
        return [
            checks.Error(
                "Daphne must be listed before django.contrib.staticfiles in "
                "INSTALLED_APPS.",
                id="daphne.E001",
            )
        ]
    return []
