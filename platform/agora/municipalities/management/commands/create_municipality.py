"""``agora manage create_municipality "'s-Hertogenbosch" GM0796 --unit ... --district ...``"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agora.dbroles import as_owner
from agora.errors import DomainError
from agora.geography.models import PoliceDistrict, PoliceUnit
from agora.municipalities.onboarding import do_invite_official
from agora.municipalities.provisioning import host_for, provision_municipality


class Command(BaseCommand):
    help = "Provision a municipality: its own schema (cloned from the template) and its domain."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help='Official name, e.g. "\'s-Hertogenbosch"')
        parser.add_argument("cbs_code", help="CBS code, e.g. GM0796")
        parser.add_argument("--unit", required=True, help="Police unit (eenheid), e.g. Oost-Brabant")
        parser.add_argument("--district", required=True, help="Police district within the unit")
        parser.add_argument("--slug", help="Host name label; derived from the name when omitted")
        parser.add_argument(
            "--official-email",
            help="Invite the first official: a one-time set-password link, e-mailed and printed here",
        )

    def handle(self, *args, **options) -> None:
        try:
            # As the owner role: the new schema and its tables belong to it, and the default
            # privileges grant the application role (agora.dbroles). Nothing is left behind
            # if it is refused, the police unit and district included.
            with as_owner(), transaction.atomic():
                unit, _ = PoliceUnit.objects.get_or_create(name=options["unit"])
                district, _ = PoliceDistrict.objects.get_or_create(unit=unit, name=options["district"])
                municipality = provision_municipality(
                    name=options["name"],
                    cbs_code=options["cbs_code"],
                    district=district,
                    slug=options["slug"],
                )
                invitation = None
                if options.get("official_email"):
                    invitation = do_invite_official(municipality, options["official_email"], acting_user=None)
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message('en')}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{municipality.name} ({municipality.cbs_code}) ready: schema {municipality.schema_name}, "
                f"host {host_for(municipality.slug)}"
            )
        )
        if invitation is not None:
            self.stdout.write(
                f"First official {invitation.user.email} (user name {invitation.user.username}) invited; "
                f"set-password link (once, valid {settings.AGORA_INVITATION_SECONDS // 3600} h):\n"
                f"{invitation.url or '(already has a password: membership added, no link)'}"
            )
