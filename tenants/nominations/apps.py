from django.apps import AppConfig


class NominationsConfig(AppConfig):
    name = "tenants.nominations"
    label = "nominations"
    default_auto_field = "django.db.models.BigAutoField"
