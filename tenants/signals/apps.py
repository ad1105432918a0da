from django.apps import AppConfig


class SignalsConfig(AppConfig):
    name = "tenants.signals"
    label = "signals"
    default_auto_field = "django.db.models.BigAutoField"
