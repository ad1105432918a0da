"""``agora manage subject_access <municipality> <key figure id> --as <official> [--erase]``.

Prints the JSON export of everything held about one person (and who read it); with
``--erase`` anonymises them everywhere in the municipality afterwards (both logged).
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from agora.accounts.models import User
from agora.errors import DomainError
from agora.municipalities.models import Municipality
from tenants.networkmap.models import KeyFigure
from tenants.networkmap.subject_access import do_erase_person, export_person


class Command(BaseCommand):
    help = "Export (and optionally erase) everything held about one key figure or ally."

    def add_arguments(self, parser) -> None:
        parser.add_argument("municipality", help="slug, e.g. utrecht")
        parser.add_argument("key_figure_id", type=int)
        parser.add_argument("--as", dest="username", required=True, help="the official acting")
        parser.add_argument("--erase", action="store_true", help="anonymise the person after the export")

    def handle(self, *args, municipality: str, key_figure_id: int, username: str, erase: bool, **options):
        found = Municipality.objects.filter(slug=municipality).first()
        user = User.objects.filter(username=username).first()
        if found is None or user is None:
            raise CommandError("unknown municipality or user")
        with tenant_context(found):
            try:
                export = export_person(key_figure_id, acting_user=user)
                if erase:
                    export["erased"] = do_erase_person(key_figure_id, acting_user=user)
            except KeyFigure.DoesNotExist as error:
                raise CommandError(f"no key figure {key_figure_id} in {municipality}") from error
            except DomainError as error:
                raise CommandError(f"{error.code}: {error.message('en')}") from error
        self.stdout.write(json.dumps(export, indent=2, ensure_ascii=False))
