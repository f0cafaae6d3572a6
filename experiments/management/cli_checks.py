"""The system checks the data commands run before they start.

Django runs every system check before a command unless it says otherwise.
For the commands that validate, run and steer sweeps from the shell
(``runexperiment``, ``startsweep``, ``validate_experiment``, ``steer_sweep``,
``purge_cache``) that was about a fifth of a cached rerun's time: the admin,
template and URL checks build the template engines and import the whole REST
API (DRF, drf-spectacular, psycopg, requests), none of which these commands
use. They run the checks about what they do use instead: the models (cheap)
and PromptLooper's own deployment warnings.

Every other command keeps all checks: ``check`` (``make lint`` runs
``check --fail-level WARNING``), ``runserver``, ``migrate``, ``runstack`` and
``qcluster`` run them, so a broken setting is still reported before the site
or the worker serves anything (experiments/tests/test_cli_checks.py).
"""

from __future__ import annotations

from django.core.checks import Tags

# Tags of the checks a data command runs (BaseCommand.requires_system_checks).
CLI_CHECKS: list[str] = [Tags.models, "promptlooper"]
