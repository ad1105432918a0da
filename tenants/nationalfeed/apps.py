from django.apps import AppConfig


class NationalFeedConfig(AppConfig):
    """No models: one migration puts the national feed's triggers on the other apps' tables."""

    name = "tenants.nationalfeed"
    label = "nationalfeed"
    verbose_name = "Landelijk beeld (voeding)"
