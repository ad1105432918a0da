from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "agora.health"
    label = "health"
    default_auto_field = "django.db.models.BigAutoField"
