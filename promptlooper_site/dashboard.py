"""The dashboard (frontend/): Vite builds it into ``FRONTEND_DIST``; its
hashed assets are static files (``STATICFILES_DIRS``, served by WhiteNoise)
and every client-side route answers its ``index.html``, so a sweep's URL
can be bookmarked and reloaded."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PromptLooper</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto">
<h1>The dashboard is not built</h1>
<p>This server found no <code>index.html</code> in <code>{dist}</code>.
Build it with <code>make install</code> (or <code>cd frontend &amp;&amp; npm ci
&amp;&amp; npm run build</code>; Node 20 or newer), then reload this page.</p>
<p>Meanwhile the <a href="/api/">REST API</a> and the
<a href="/admin/">admin</a> work as usual.</p>
</body></html>
"""


@require_safe
@ensure_csrf_cookie
def index(request: HttpRequest, path: str = "") -> HttpResponse:
    """The app's page for any of its routes (the CSRF cookie comes with it,
    for the sign-in form); 503 with what to do when it has not been built."""
    dist = settings.FRONTEND_DIST
    try:
        page = (dist / "index.html").read_bytes()
    except FileNotFoundError:
        body = NOT_BUILT.format(dist=dist)
        return HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response = HttpResponse(page, content_type="text/html; charset=utf-8")
    # A new build names new assets: the page must not be cached with old ones.
    response["Cache-Control"] = "no-cache"
    return response
