"""``agora manage offboard_municipality utrecht --confirm utrecht``"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from agora.dbroles import as_owner
from agora.errors import DomainError
from agora.municipalities.offboarding import do_offboard_municipality


class Command(BaseCommand):
    help = (
        "Offboard a municipality for good: its schema, memberships, domains and national mirror rows "
        "go; the audit trail and a tombstone row stay. Back it up first (backup_municipality)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", help="The municipality's slug, e.g. utrecht")
        parser.add_argument("--confirm", default="", help="The same slug again: nothing happens without it")

    def handle(self, *args, **options) -> None:
        try:
            # As the owner: only it may drop the schema it owns.
            with as_owner():
                offboarded = do_offboard_municipality(options["slug"], confirm=options["confirm"])
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message('en')}") from error
        removed = ", ".join(f"{table} {count}" for table, count in sorted(offboarded.removed.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"{offboarded.municipality.name} ({offboarded.municipality.cbs_code}) offboarded: schema "
                f"{offboarded.schema} dropped; rows removed: {removed or 'none'}. The audit trail is kept."
            )
        )
