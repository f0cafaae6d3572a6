from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter
from rest_framework_simplejwt.views import TokenRefreshView, TokenVerifyView

from experiments.api.throttling import AuthThrottle
from experiments.api.views.analysis import SweepAnalysisViewSet
from experiments.api.views.auth import TokenObtainView
from experiments.api.views.compare import SweepCompareViewSet
from experiments.api.views.misc import CacheViewSet, ScorerViewSet
from experiments.api.views.projects import ApiKeyViewSet, ProjectViewSet
from experiments.api.views.promotions import (
    DeploymentView,
    ExperimentPromotionViewSet,
    SweepPromoteViewSet,
)
from experiments.api.views.resources import (
    DatasetViewSet,
    EndpointViewSet,
    PromptViewSet,
)
from experiments.api.views.session import SessionView
from experiments.api.views.sweeps import (
    ExperimentViewSet,
    RunViewSet,
    SweepRunViewSet,
    SweepViewSet,
)

router = DefaultRouter()
router.register("projects", ProjectViewSet, basename="project")
router.register("api-keys", ApiKeyViewSet, basename="apikey")
router.register("endpoints", EndpointViewSet, basename="endpoint")
router.register("prompts", PromptViewSet, basename="prompt")
router.register("datasets", DatasetViewSet, basename="dataset")
router.register(
    "experiments", ExperimentPromotionViewSet, basename="experiment-promotion"
)
router.register("experiments", ExperimentViewSet, basename="experiment")
# A sweep's analysis (leaderboard, pareto, marginals, heatmap): detail routes
# only, registered first so "sweeps" in the API root stays SweepViewSet's list.
router.register("sweeps", SweepAnalysisViewSet, basename="sweep-analysis")
router.register("sweeps", SweepCompareViewSet, basename="sweep-compare")
router.register("sweeps", SweepPromoteViewSet, basename="sweep-promote")
router.register("sweeps", SweepViewSet, basename="sweep")
router.register(r"sweeps/(?P<sweep_pk>\d+)/runs", SweepRunViewSet, basename="sweep-run")
router.register("runs", RunViewSet, basename="run")
router.register("scorers", ScorerViewSet, basename="scorer")
router.register("cache", CacheViewSet, basename="cache")

throttled = {"throttle_classes": [AuthThrottle]}
urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(**throttled), name="token"),
    path(
        "auth/token/refresh/",
        TokenRefreshView.as_view(**throttled),
        name="token-refresh",
    ),
    path(
        "auth/token/verify/",
        TokenVerifyView.as_view(**throttled),
        name="token-verify",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("auth/session/", SessionView.as_view(), name="session"),
    path("auth/", include("rest_framework.urls")),
    path(
        "deployments/<str:project>/<str:experiment>/<slug:label>/",
        DeploymentView.as_view(),
        name="deployment",
    ),
    path("", include(router.urls)),
]
