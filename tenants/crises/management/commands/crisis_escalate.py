"""``agora manage crisis_escalate [--loop SECONDS]``: escalate unanswered leads to their deputies.

Runs :func:`tenants.crises.actions.do_escalate_unanswered` in every municipality's schema, once
or every ``--loop`` seconds (run it beside the server, e.g. as a second container process).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import connection
from django_tenants.utils import tenant_context

from agora.municipalities.models import Municipality
from tenants.crises.actions import do_escalate_unanswered


def escalate_everywhere() -> int:
    """One pass over every municipality; the number of leads escalated."""
    count = 0
    for municipality in Municipality.objects.exclude(schema_name="public").order_by("pk"):
        with tenant_context(municipality):
            count += len(do_escalate_unanswered())
    connection.set_schema_to_public()
    return count


class Command(BaseCommand):
    help = "Escalate crisis leads who did not answer in time to their deputies."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--loop", type=float, default=0, help="repeat every SECONDS (0: once)")

    def handle(self, *args, loop: float = 0, **options) -> None:
        while True:
            count = escalate_everywhere()
            if count:
                self.stdout.write(f"Escalated {count} lead(s).")
            if not loop:
                return
            time.sleep(loop)
