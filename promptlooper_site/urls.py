from django.contrib import admin
from django.urls import include, path, re_path

from promptlooper_site import dashboard

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("experiments.api.urls")),
    # Everything else is a route of the dashboard (a single-page app); not
    # "/admin" or "/api" without their slash, which CommonMiddleware redirects.
    re_path(
        r"^(?!(?:api|admin|ws|static)(?:/|$))(?P<path>.*)$",
        dashboard.index,
        name="dashboard",
    ),
]

# Unmatched URLs under /api/ answer in the API's error shape.
handler400 = "experiments.api.errors.bad_request"
handler404 = "experiments.api.errors.page_not_found"
