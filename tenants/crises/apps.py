from django.apps import AppConfig


class CrisesConfig(AppConfig):
    name = "tenants.crises"
    label = "crises"
    default_auto_field = "django.db.models.BigAutoField"
