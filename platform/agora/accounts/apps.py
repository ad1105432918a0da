from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "agora.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from agora.accounts import lockout, session_policy, signals

        signals.connect()
        lockout.connect()
        session_policy.connect()
