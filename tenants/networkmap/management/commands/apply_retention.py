"""``agora manage apply_retention [--dry-run]``: the retention periods, for every municipality.

Schedule it daily. Periods: ``AGORA_RETENTION_*_DAYS`` (docs/security.md, "Retention").
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django_tenants.utils import tenant_context

from agora.municipalities.models import Municipality
from tenants.networkmap.retention import apply_retention


class Command(BaseCommand):
    help = "Anonymise key figures never selected, inactive allies and closed crises past their period."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count only; change nothing.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        for municipality in Municipality.objects.exclude(schema_name="public").order_by("slug"):
            with tenant_context(municipality):
                report = apply_retention(dry_run=dry_run)
            self.stdout.write(
                f"{municipality.slug}: {len(report.never_selected)} key figures never selected, "
                f"{len(report.inactive_allies)} inactive allies, {len(report.closed_crises)} closed crises"
                + (" (dry run)" if dry_run else " anonymised")
            )
