from django.apps import AppConfig


class AdaptersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "adapters"

    def ready(self) -> None:
        from adapters.endpoint_policy import validate_host_rules

        validate_host_rules()
