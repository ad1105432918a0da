"""The national view's demo logins: an operator and two analysts with grants of either level.

Idempotent like the rest of ``agora demo``: users are looked up before they are created (their
passwords are never reset) and a grant is made only when no live one covers the district.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from agora.accounts.models import User
from agora.demo_password import create_demo_user
from agora.geography.models import PoliceDistrict
from agora.national.access import live_grants
from agora.national.actions import do_grant_national_access
from agora.national.models import GrantLevel

OPERATOR = "beheerder"


@dataclass(frozen=True)
class AnalystSpec:
    username: str
    first_name: str
    level: str
    unit: str
    district: str


ANALYSTS: tuple[AnalystSpec, ...] = (
    AnalystSpec("analist.samenvatting", "Sanne", GrantLevel.SUMMARY, "Midden-Nederland", "Utrecht-Stad"),
    AnalystSpec("analist.contacten", "Koen", GrantLevel.CONTACTS, "Oost-Nederland", "Gelderland-Midden"),
)


@dataclass(frozen=True)
class NationalLogin:
    username: str
    description: str


def _user(username: str, password: str, **fields) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = create_demo_user(username, password, **fields)
    return user


@transaction.atomic
def ensure_national_demo(password: str) -> list[NationalLogin]:
    """The operator and the analysts, each granted one district (a year from the first run)."""
    operator = _user(OPERATOR, password, first_name="Olga", last_name="(platformbeheer)", is_staff=True)
    if not (operator.is_superuser and operator.is_staff):
        operator.is_superuser = operator.is_staff = True
        operator.save(update_fields=["is_superuser", "is_staff"])
    logins = [NationalLogin(OPERATOR, "platform operator: grants national access (admin)")]
    for spec in ANALYSTS:
        analyst = _user(spec.username, password, first_name=spec.first_name, last_name="(landelijk analist)")
        if not analyst.is_national_analyst:
            analyst.is_national_analyst = True
            analyst.save(update_fields=["is_national_analyst"])
        district = PoliceDistrict.objects.get(unit__name=spec.unit, name=spec.district)
        if not live_grants(analyst).filter(district=district).exists():
            now = timezone.now()
            do_grant_national_access(
                analyst,
                district=district,
                level=spec.level,
                purpose="demo: de methode volgen in dit district",
                valid_from=now,
                valid_until=now + dt.timedelta(days=365),
                acting_user=operator,
            )
        logins.append(
            NationalLogin(spec.username, f"national analyst, {spec.level}: {spec.unit} / {spec.district}")
        )
    return logins
