from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    # The dashboard takes "/" in a later release; until then the admin is home.
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/", include("experiments.api.urls")),
]

# Unmatched URLs under /api/ answer in the API's error shape.
handler400 = "experiments.api.errors.bad_request"
handler404 = "experiments.api.errors.page_not_found"
