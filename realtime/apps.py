from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"
    label = "realtime"

    def ready(self) -> None:
        from realtime import revocation

        revocation.connect()
