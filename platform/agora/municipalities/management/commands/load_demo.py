"""``agora manage load_demo``: load the demo data without serving (``agora demo`` does both)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from agora.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load (or complete) the demo municipalities, logins and tenant data. Idempotent."

    def handle(self, *args, **options) -> None:
        result = load_demo()
        for municipality in result.municipalities:
            self.stdout.write(f"{municipality.name}: schema {municipality.schema_name}")
        for login in result.logins:
            self.stdout.write(f"  {login.username}  ({login.description})")
        if result.skipped_modules:
            self.stdout.write("Skipped (no demo module yet): " + ", ".join(result.skipped_modules))
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded; password {DEMO_PASSWORD}"))
