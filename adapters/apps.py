from django.apps import AppConfig


class AdaptersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "adapters"
