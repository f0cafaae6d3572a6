"""The project's settings for the browser tests' stack, serving a copy of
frontend/dist taken when the run began (PROMPTLOOPER_E2E_DIST): a rebuild
during the run cannot leave the page asking for assets the server never
collected."""

import os
from pathlib import Path

from promptlooper_site.settings import *  # noqa: F403

FRONTEND_DIST = Path(os.environ["PROMPTLOOPER_E2E_DIST"])
STATICFILES_DIRS = [("app/assets", FRONTEND_DIST / "assets")]
