"""``grant_national_access``: give a national analyst a district or a whole unit (operators only).

    agora manage grant_national_access --operator root --analyst a.jansen \\
        --district "Midden-Nederland/Utrecht-Stad" --level summary --purpose "..." --days 90
    agora manage grant_national_access --operator root --analyst a.jansen --unit "Oost-Nederland" ...
    agora manage grant_national_access --operator root --revoke 12

The command calls the same actions as the admin: only a superuser may act, every change is audited.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agora.accounts.models import User
from agora.errors import DomainError
from agora.geography.models import PoliceDistrict, PoliceUnit
from agora.national.actions import do_grant_national_access, do_revoke_national_grant
from agora.national.models import GrantLevel


class Command(BaseCommand):
    help = "Grant (or revoke) a national analyst's access to a police district or a whole unit."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--operator", required=True, help="username of the platform operator (superuser)")
        parser.add_argument("--analyst", help="username of the national analyst")
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--district", help='"Unit/District", e.g. "Midden-Nederland/Utrecht-Stad"')
        scope.add_argument("--unit", help="a whole police unit, e.g. Oost-Nederland")
        parser.add_argument("--level", choices=GrantLevel.values, default=GrantLevel.SUMMARY)
        parser.add_argument("--purpose", default="")
        parser.add_argument("--days", type=int, default=90, help="valid for this many days from now")
        parser.add_argument("--revoke", type=int, metavar="GRANT_ID", help="revoke this grant instead")

    def handle(self, *args, **options) -> None:
        operator = User.objects.filter(username=options["operator"]).first()
        if operator is None:
            raise CommandError(f"no user {options['operator']!r}")
        try:
            if options["revoke"]:
                grant = do_revoke_national_grant(options["revoke"], acting_user=operator)
                self.stdout.write(f"revoked grant {grant.pk}")
                return
            analyst = User.objects.filter(username=options["analyst"] or "").first()
            if analyst is None:
                raise CommandError(f"no user {options['analyst']!r}")
            scope = self._scope(options)
            now = timezone.now()
            grant = do_grant_national_access(
                analyst,
                level=options["level"],
                purpose=options["purpose"],
                valid_from=now,
                valid_until=now + dt.timedelta(days=options["days"]),
                acting_user=operator,
                **scope,
            )
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message('en')}") from error
        target = grant.district or grant.unit
        self.stdout.write(
            f"grant {grant.pk}: {analyst.username} {grant.level} {target} until {grant.valid_until:%Y-%m-%d}"
        )

    def _scope(self, options) -> dict:
        if options["district"]:
            unit_name, _, district_name = options["district"].partition("/")
            district = PoliceDistrict.objects.filter(unit__name=unit_name, name=district_name).first()
            if district is None:
                raise CommandError(f"no district {options['district']!r} (write Unit/District)")
            return {"district": district}
        if options["unit"]:
            unit = PoliceUnit.objects.filter(name=options["unit"]).first()
            if unit is None:
                raise CommandError(f"no unit {options['unit']!r}")
            return {"unit": unit}
        raise CommandError("give --district or --unit")
