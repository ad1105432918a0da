from django.apps import AppConfig


class MunicipalitiesConfig(AppConfig):
    name = "agora.municipalities"
    label = "municipalities"
    default_auto_field = "django.db.models.BigAutoField"
