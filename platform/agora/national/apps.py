from django.apps import AppConfig


class NationalConfig(AppConfig):
    name = "agora.national"
    label = "national"
    verbose_name = "Landelijk beeld"
