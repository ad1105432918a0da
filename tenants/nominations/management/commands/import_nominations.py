"""``agora manage import_nominations lijst.xlsx --source police --municipality utrecht [--dry-run]``.

Also runs under django-tenants' wrapper, which sets the schema first:
``manage.py tenant_command import_nominations lijst.csv --source municipality --schema=gm_utrecht``.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django_tenants.utils import schema_context
from tqdm import tqdm

from agora.accounts.actors import current_municipality
from agora.accounts.models import User
from agora.errors import DomainError
from agora.municipalities.models import Municipality
from tenants.nominations.columns import describe_row_error
from tenants.nominations.importing import do_import_nominations
from tenants.nominations.models import Source


class Command(BaseCommand):
    help = "Import a municipality's or the police's list of key figures (CSV or XLSX) into one municipality."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="CSV or XLSX file with Dutch (or English) column headings")
        parser.add_argument("--source", required=True, choices=[s.value for s in Source], help="whose list")
        parser.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--municipality", help="the municipality's slug, e.g. utrecht")
        where.add_argument("--schema", help="the municipality's schema, e.g. gm_utrecht")
        parser.add_argument("--user", help="username recorded as the importer (default: the platform)")

    def _municipality(self, options) -> Municipality:
        with schema_context("public"):
            if options["municipality"]:
                found = Municipality.objects.filter(slug=options["municipality"]).first()
            elif options["schema"]:
                found = Municipality.objects.filter(schema_name=options["schema"]).first()
            else:
                found = None
        if found is None and not (options["municipality"] or options["schema"]):
            found = current_municipality()  # set by ``tenant_command --schema``
        if found is None:
            raise CommandError("Name the municipality: --municipality <slug> or --schema <schema>.")
        return found

    def handle(self, *args, **options) -> None:
        municipality = self._municipality(options)
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")

        def progress(rows):
            return tqdm(rows, desc=path.name, unit="row", disable=options["verbosity"] < 1, file=self.stderr)

        connection.set_tenant(municipality)
        # tqdm redraws with "\r"; Django's wrapper would end every redraw with a newline.
        self.stderr.ending = ""
        try:
            with path.open("rb") as file:
                report = do_import_nominations(
                    file,
                    filename=path.name,
                    source=options["source"],
                    acting_user=user,
                    dry_run=options["dry_run"],
                    progress=progress,
                )
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message('en')}") from error
        finally:
            self.stderr.ending = "\n"
        prefix = "DRY RUN, nothing written: " if report.dry_run else ""
        self.stdout.write(
            f"{prefix}{municipality.name}, {report.source} list {report.file_name}: "
            f"{report.total_rows} rows, {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.error_count} with errors; "
            f"{report.key_figures_created} new key figures, {report.key_figures_linked} linked."
        )
        for error in report.errors:
            payload = describe_row_error(error.as_dict(), "en")
            where = f"line {payload['line']}" + (f", {payload['column']}" if payload["column"] else "")
            self.stdout.write(self.style.WARNING(f"  {where}: {payload['detail']} [{payload['code']}]"))
        if report.dry_run:
            self.stdout.write("Row by row, what the import would do:")
            for outcome in report.rows:
                detail = ", ".join(outcome.fields or outcome.codes)
                self.stdout.write(
                    f"  line {outcome.line}: {outcome.outcome}" + (f" ({detail})" if detail else "")
                )
            if report.rows_truncated:
                self.stdout.write(f"  ... only the first {len(report.rows)} rows are listed.")
