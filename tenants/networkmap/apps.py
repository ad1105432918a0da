from django.apps import AppConfig


class NetworkmapConfig(AppConfig):
    name = "tenants.networkmap"
    label = "networkmap"
    default_auto_field = "django.db.models.BigAutoField"
