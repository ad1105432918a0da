from django.apps import AppConfig


class CouncilsConfig(AppConfig):
    name = "tenants.councils"
    label = "councils"
    default_auto_field = "django.db.models.BigAutoField"
