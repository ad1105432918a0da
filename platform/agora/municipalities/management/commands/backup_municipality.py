"""``agora manage backup_municipality utrecht --output /backups/utrecht.dump``"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agora.dbroles import as_owner
from agora.errors import DomainError
from agora.municipalities.backup import do_back_up_municipality, manifest_path


class Command(BaseCommand):
    help = "Back up one municipality: a pg_dump of its schema (custom format) and FILE.json beside it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", help="The municipality's slug, e.g. utrecht")
        parser.add_argument("--output", required=True, type=Path, help="The dump file to write")

    def handle(self, *args, **options) -> None:
        try:
            # As the owner: it can read every table of the schema (the application role may not).
            with as_owner():
                manifest = do_back_up_municipality(options["slug"], options["output"])
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message('en')}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{manifest.name} ({manifest.cbs_code}): schema {manifest.schema} backed up to "
                f"{options['output']}, manifest {manifest_path(options['output'])} (sha256 {manifest.sha256})"
            )
        )
