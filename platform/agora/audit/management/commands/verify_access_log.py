"""``agora manage verify_access_log``: walk every municipality's access-log chain.

Prints each chain's length and head hash (keep the heads elsewhere, e.g. in the operations log:
a chain cannot by itself show that its newest rows were cut off) and exits with status 1 naming
the first broken link if a row was changed, removed or reordered.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from agora.audit.chain import verify_all
from agora.municipalities.models import Municipality


class Command(BaseCommand):
    help = "Verify the hash chain of the person-read access log; name the first broken link."

    def handle(self, *args, **options) -> None:
        names = dict(Municipality.objects.values_list("pk", "slug"))
        broken = []
        for report in verify_all():
            name = names.get(report.municipality_id, f"#{report.municipality_id}")
            if report.broken is None:
                self.stdout.write(f"{name}: {report.rows} rows, chain intact, head {report.head}")
            else:
                link = report.broken
                self.stdout.write(
                    f"{name}: BROKEN at access-log row {link.row_id} (after {report.rows} good rows): "
                    f"{link.reason}"
                )
                broken.append((name, link))
        if broken:
            name, link = broken[0]
            raise CommandError(f"access log broken: first broken link is row {link.row_id} ({name})")
        self.stdout.write("access log intact")
