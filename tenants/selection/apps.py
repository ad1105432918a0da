from django.apps import AppConfig


class SelectionConfig(AppConfig):
    name = "tenants.selection"
    label = "selection"
    default_auto_field = "django.db.models.BigAutoField"
