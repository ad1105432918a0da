"""``agora manage restore_municipality utrecht.dump --as kopie --name "Kopie" --cbs-code GM9001``"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agora.dbroles import as_owner
from agora.errors import DomainError
from agora.geography.models import PoliceDistrict, PoliceUnit
from agora.municipalities.provisioning import host_for
from agora.municipalities.restore import do_restore_municipality


class Command(BaseCommand):
    help = "Restore a backup into a NEW municipality (new slug, name and CBS code); never overwrites."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="A dump by backup_municipality (FILE.json beside it)")
        parser.add_argument("--as", dest="slug", required=True, help="The new municipality's slug")
        parser.add_argument("--name", required=True, help="The new municipality's name")
        parser.add_argument("--cbs-code", required=True, help="The new municipality's CBS code")
        parser.add_argument("--unit", help="Police unit; default: the backed-up municipality's")
        parser.add_argument("--district", help="Police district within --unit; default: the backup's")

    def handle(self, *args, **options) -> None:
        if bool(options["unit"]) != bool(options["district"]):
            raise CommandError("--unit and --district go together")
        try:
            with as_owner():
                district = None
                if options["unit"]:
                    unit, _ = PoliceUnit.objects.get_or_create(name=options["unit"])
                    district, _ = PoliceDistrict.objects.get_or_create(unit=unit, name=options["district"])
                restored = do_restore_municipality(
                    options["file"],
                    slug=options["slug"],
                    name=options["name"],
                    cbs_code=options["cbs_code"],
                    district=district,
                )
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message('en')}") from error
        municipality = restored.municipality
        self.stdout.write(
            self.style.SUCCESS(
                f"{municipality.name} ({municipality.cbs_code}) restored: schema {municipality.schema_name}, "
                f"host {host_for(municipality.slug)}, {restored.rows} rows in {restored.tables} tables"
                + (", migrated to this version" if restored.migrated else "")
            )
        )
        self.stdout.write(
            "Memberships are not restored: nobody has access yet (add memberships in the admin). "
            f"{restored.relinked_memberships} inactive memberships keep "
            "the restored history's references (who approved, who handed over); they grant nothing."
        )
