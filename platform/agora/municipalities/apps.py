from django.apps import AppConfig


class MunicipalitiesConfig(AppConfig):
    name = "agora.municipalities"
    label = "municipalities"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the ``agora-parallel`` executor of ``migrate_schemas`` (found by subclass).
        from agora.municipalities import parallel_migration  # noqa: F401
