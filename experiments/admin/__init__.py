"""The admin is where users curate prompts and datasets and inspect sweeps."""

from django.contrib import admin

from experiments.admin import (
    apikeys,
    datasets,
    experiments,
    projects,
    promotions,
    prompts,
    sweeps,
)

# The default site, under the product's name (page titles and the header).
admin.site.site_header = "PromptLooper administration"
admin.site.site_title = "PromptLooper admin"
admin.site.index_title = "PromptLooper"

__all__ = [
    "apikeys",
    "datasets",
    "experiments",
    "projects",
    "promotions",
    "prompts",
    "sweeps",
]
