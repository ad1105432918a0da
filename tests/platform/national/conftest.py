"""A national data set: four municipalities in three districts of two units (and an empty district).

Everything is created inside the test's transaction (rolled back), in the session's four
municipalities (tests/conftest.py): Utrecht, Amersfoort, Zeist (Midden-Nederland), Arnhem
(Oost-Nederland). Every person gets a name, number and
e-mail found nowhere else, so a test can look for them in any response body.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from agora.accounts.models import Membership, User
from agora.accounts.roles import Role
from agora.geography.models import PoliceDistrict, PoliceUnit
from agora.municipalities.models import Municipality
from agora.national.actions import do_grant_national_access
from tests.conftest import ensure_test_municipality

_serial = itertools.count(1)


@dataclass
class NationalData:
    units: dict[str, PoliceUnit]
    districts: dict[str, PoliceDistrict]
    municipalities: dict[str, Municipality]
    operator: User
    # Every person's name parts, full names, numbers and e-mail addresses in the data set.
    secrets: set[str] = field(default_factory=set)
    ally_ids: dict[str, list[int]] = field(default_factory=dict)
    lead_membership_ids: dict[str, list[int]] = field(default_factory=dict)
    neighbourhood_ids: dict[str, list[int]] = field(default_factory=dict)

    @property
    def districts_by_id(self) -> dict[int, PoliceDistrict]:
        return {d.pk: d for d in self.districts.values()}

    def district_of(self, slug: str) -> PoliceDistrict:
        return self.municipalities[slug].district


def _district(unit: str, name: str) -> PoliceDistrict:
    unit_obj, _ = PoliceUnit.objects.get_or_create(name=unit)
    return PoliceDistrict.objects.get_or_create(unit=unit_obj, name=name)[0]


def _person_user(data: NationalData, role: str, municipality: Municipality) -> Membership:
    n = next(_serial)
    first, last = f"Xanthippe{n}", f"Leadperson{n}q"
    mobile, email = f"+3163{n:07d}", f"lead{n}.qz@national.test"
    user = User.objects.create_user(
        username=f"lead-{n}", password="x" * 12, first_name=first, last_name=last, email=email
    )
    membership = Membership.objects.create(
        user=user, municipality=municipality, role=role, title="adviseur", mobile=mobile
    )
    data.secrets |= {first, last, f"{first} {last}", mobile, email}
    data.lead_membership_ids.setdefault(municipality.slug, []).append(membership.pk)
    return membership


def populate(data: NationalData, municipality: Municipality, *, allies: int = 2, plain: int = 2) -> None:
    """Two neighbourhoods, three communities (one without anyone), key figures, a council, signals."""
    from tenants.councils.models import Council, CouncilMember, Meeting
    from tenants.networkmap.models import Community, KeyFigure, Neighbourhood
    from tenants.signals.models import Signal

    with schema_context("public"):
        m_lead = _person_user(data, Role.OFFICIAL, municipality)
        p_lead = _person_user(data, Role.POLICE, municipality)
    now = timezone.now()
    with tenant_context(municipality):
        north = Neighbourhood.objects.create(name="Noord", cbs_code="WK000101")
        south = Neighbourhood.objects.create(name="Zuid", cbs_code="WK000102")
        data.neighbourhood_ids[municipality.slug] = [north.pk, south.pk]
        church = Community.objects.create(kind="religious", name="Kerk")
        origin = Community.objects.create(kind="origin", name="Marokkaans")
        Community.objects.create(kind="group", name="Jongeren")
        people = []
        for i in range(allies + plain):
            n = next(_serial)
            first, last = f"Zebulon{n}", f"Keyfigure{n}w"
            kf = KeyFigure.objects.create(
                first_name=first,
                last_name=last,
                mobile=f"+3164{n:07d}",
                email=f"kf{n}.wq@national.test",
                neighbourhood=north if i % 2 == 0 else south,
                last_contact_on=(now - dt.timedelta(days=30 if i < 2 else 400)).date(),
            )
            kf.communities.add(church if i < 3 else origin)
            if i < allies:
                KeyFigure.objects.filter(pk=kf.pk).update(is_ally=True)
                data.ally_ids.setdefault(municipality.slug, []).append(kf.pk)
            data.secrets |= {first, last, f"{first} {last}", f"+3164{n:07d}", f"kf{n}.wq@national.test"}
            people.append(kf)
        council = Council.objects.create(
            name=f"Bondgenotenoverleg {municipality.name}",
            municipal_lead_id=m_lead.pk,
            police_lead_id=p_lead.pk,
            started_on=(now - dt.timedelta(days=400)).date(),
        )
        CouncilMember.objects.create(council=council, key_figure=people[0], joined_on=council.started_on)
        for days, status in ((300, "held"), (100, "held"), (-20, "planned")):
            Meeting.objects.create(
                council=council,
                starts_at=now - dt.timedelta(days=days),
                place="Buurthuis",
                meal="soep",
                status=status,
            )
        Signal.objects.create(
            ally=people[0],
            category="pest",
            neighbourhood=north,
            description="ratten",
            raised_at=now - dt.timedelta(days=20),
            awaiting_answer_since=now - dt.timedelta(days=20),
        )
        raised = now - dt.timedelta(days=10)
        Signal.objects.create(
            ally=people[0],
            category="safety",
            neighbourhood=south,
            description="licht",
            status="answered",
            raised_at=raised,
            first_answered_at=raised + dt.timedelta(hours=5),
            response_time=dt.timedelta(hours=5),
        )


@pytest.fixture
def national(utrecht, amersfoort) -> NationalData:
    connection.set_schema_to_public()
    operator = User.objects.create_superuser(username=f"operator-{next(_serial)}", password="x" * 12)
    _district("Oost-Nederland", "Leeg")  # a district without municipalities
    municipalities = {
        slug: ensure_test_municipality(slug) for slug in ("utrecht", "amersfoort", "zeist", "arnhem")
    }
    data = NationalData(
        units={u.name: u for u in PoliceUnit.objects.all()},
        districts={d.name: d for d in PoliceDistrict.objects.select_related("unit")},
        municipalities=municipalities,
        operator=operator,
    )
    for municipality in municipalities.values():
        populate(data, municipality)
    connection.set_schema_to_public()
    return data


@pytest.fixture
def analyst() -> Callable[..., User]:
    def make(**fields) -> User:
        n = next(_serial)
        return User.objects.create_user(
            username=f"analyst-{n}", password="x" * 12, is_national_analyst=True, **fields
        )

    return make


@pytest.fixture
def grant(national) -> Callable[..., object]:
    """``grant(user, district=..., level=...)``: a live grant made by the data set's operator."""

    def make(user: User, *, level: str = "summary", valid_from=None, valid_until=None, **scope):
        now = timezone.now()
        return do_grant_national_access(
            user,
            level=level,
            purpose="test",
            valid_from=valid_from or now - dt.timedelta(days=1),
            valid_until=valid_until or now + dt.timedelta(days=1),
            acting_user=national.operator,
            **scope,
        )

    return make


@pytest.fixture
def public_api():
    """A DRF client on the public host (``AGORA_BASE_DOMAIN``)."""
    from django.conf import settings
    from rest_framework.test import APIClient

    def make(user: User | None = None) -> APIClient:
        client = APIClient(HTTP_HOST=settings.AGORA_BASE_DOMAIN, HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            client.force_login(user)
        return client

    return make
