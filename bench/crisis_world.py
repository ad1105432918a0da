"""The people and councils of the crisis bench: a municipality of its own, real members, real sessions.

Everything is made through the product's own paths where it matters (provisioning by cloning,
``do_create_council``, ``do_declare_crisis``); only the bulk of users, memberships and sessions is
inserted in bulk, because a thousand sign-ins through the login page would measure the login page.
Users, memberships and councils are kept between runs (the audit trail protects users from being
deleted, as it should); sessions are made for each run and removed at its end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

DEFAULT_SLUG = "crisis-bench"
ALLIES_PER_COUNCIL = 8


@dataclass
class World:
    """What one bench run works with (ids and session keys only: the sockets live elsewhere)."""

    slug: str
    host: str
    schema: str
    municipality_id: int
    # Room sockets: staff members of the municipality (they may join every room of it).
    room_sessions: list[str] = field(default_factory=list)
    # The declaring official's API token, and the council declared for the 12-member measurement.
    token: str = ""
    official_id: int = 0
    council_ids: list[int] = field(default_factory=list)
    # Sessions of the 12 members of council_ids[0] (for their personal /ws/events/ sockets).
    member_sessions: list[str] = field(default_factory=list)
    session_keys: list[str] = field(default_factory=list)


def _municipality(slug: str):
    """The bench municipality, provisioned by cloning the template when it is not there yet."""
    from django.db import connection

    from agora.geography.models import PoliceDistrict, PoliceUnit
    from agora.municipalities.models import Municipality
    from agora.municipalities.provisioning import provision_municipality, schema_name_for

    connection.set_schema_to_public()
    found = Municipality.objects.filter(slug=slug).first()
    if found is not None:
        return found
    schema = schema_name_for(slug)
    with connection.cursor() as cursor:  # a row flushed by a test run may have left its schema
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    unit, _ = PoliceUnit.objects.get_or_create(name="Bench-eenheid crisis")
    district, _ = PoliceDistrict.objects.get_or_create(unit=unit, name="Bench-district crisis")
    number = 9900 - sum(ord(ch) for ch in slug) % 900
    return provision_municipality(
        name=f"Crisisbank {slug}", cbs_code=f"GM{number:04d}", district=district, slug=slug
    )


def _users(prefix: str, count: int, role: str, municipality) -> list:
    """``count`` users ``<prefix>-0000``... with a membership of ``role`` (created once, in bulk)."""
    from django.contrib.auth.hashers import make_password

    from agora.accounts.models import Membership, User

    names = [f"{prefix}-{n:04d}" for n in range(count)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    password = make_password(None)  # unusable: these people sign in by session only
    User.objects.bulk_create(
        User(username=name, first_name="Bank", last_name=name, password=password, email=f"{name}@x.invalid")
        for name in names
        if name not in existing
    )
    users = list(User.objects.filter(username__in=names).order_by("username"))
    have = set(
        Membership.objects.filter(municipality=municipality, user__in=users).values_list("user_id", flat=True)
    )
    Membership.objects.bulk_create(
        Membership(user=u, municipality=municipality, role=role, mobile=f"+3162{u.pk % 10**7:07d}")
        for u in users
        if u.pk not in have
    )
    return users


def sessions_for(users: list) -> list[str]:
    """One fresh database session per user, exactly what a finished sign-in stores: the one
    authentication backend, the login time, and for roles with a second factor the verified device."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from agora.accounts.session_policy import AUTH_AT, SEEN_AT
    from agora.accounts.two_factor import must_verify

    store = SessionStore()
    expires = timezone.now() + dt.timedelta(hours=8)
    now = int(timezone.now().timestamp())
    rows = []
    for user in users:
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "agora.accounts.lockout.LockoutBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            AUTH_AT: now,
            SEEN_AT: now,
        }
        if must_verify(user):
            device = TOTPDevice.objects.filter(
                user=user, confirmed=True
            ).first() or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
            data[DEVICE_ID_SESSION_KEY] = device.persistent_id
        rows.append(
            Session(
                session_key=get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789"),
                session_data=store.encode(data),
                expire_date=expires,
            )
        )
    Session.objects.bulk_create(rows, batch_size=1000)
    return [row.session_key for row in rows]


def _councils(municipality, official, officials: list, police: list, allies: list, count: int) -> list[int]:
    """``count`` councils of 12 (two leads, two deputies, eight allies), made by ``do_create_council``."""
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from agora.accounts.models import Membership
    from tenants.councils.actions import do_create_council
    from tenants.councils.models import Council
    from tenants.networkmap.models import KeyFigure

    memberships = dict(Membership.objects.filter(municipality=municipality).values_list("user_id", "pk"))
    with tenant_context(municipality):
        existing = Council.objects.filter(name__startswith="Bankoverleg ").order_by("pk")
        ids = list(existing.values_list("pk", flat=True))
        for number in range(len(ids), count):
            seats = []
            for a in range(ALLIES_PER_COUNCIL):
                user = allies[number * ALLIES_PER_COUNCIL + a]
                kf = KeyFigure.objects.create(
                    first_name=f"Bond{number}x{a}",
                    last_name="Bank",
                    mobile=f"+3163{number:03d}{a:04d}",
                    email=f"bond{number}x{a}@bench.invalid",
                    user=user,
                )
                KeyFigure.objects.filter(pk=kf.pk).update(is_ally=True)
                seats.append(kf.pk)
            council = do_create_council(
                name=f"Bankoverleg {number:03d}",
                municipal_lead_id=memberships[officials[2 * number].pk],
                municipal_deputy_id=memberships[officials[2 * number + 1].pk],
                police_lead_id=memberships[police[2 * number].pk],
                police_deputy_id=memberships[police[2 * number + 1].pk],
                started_on=timezone.localdate() - dt.timedelta(days=60),
                key_figure_ids=seats,
                acknowledge=["council_size"],
                acting_user=official,
            ).council
            ids.append(council.pk)
    connection.set_schema_to_public()
    return ids[:count]


def build(*, slug: str = DEFAULT_SLUG, room_clients: int, councils: int) -> World:
    """The municipality, ``room_clients`` staff with sessions, ``councils`` councils of 12."""
    from knox.models import AuthToken

    from agora.municipalities.provisioning import host_for

    municipality = _municipality(slug)
    tag = slug.replace("-", "")[:12]
    officials = _users(f"{tag}-gem", 2 * councils, "official", municipality)
    police = _users(f"{tag}-pol", 2 * councils, "police", municipality)
    allies = _users(f"{tag}-bond", ALLIES_PER_COUNCIL * councils, "ally", municipality)
    room = _users(f"{tag}-zaal", room_clients, "police", municipality)
    council_ids = _councils(municipality, officials[0], officials, police, allies, councils)
    world = World(
        slug=slug,
        host=host_for(slug),
        schema=municipality.schema_name,
        municipality_id=municipality.pk,
        council_ids=council_ids,
    )
    world.token = AuthToken.objects.create(officials[0])[1]
    world.official_id = officials[0].pk
    world.room_sessions = sessions_for(room)
    first_council = [officials[0], officials[1], police[0], police[1], *allies[:ALLIES_PER_COUNCIL]]
    world.member_sessions = sessions_for(first_council)
    world.session_keys = world.room_sessions + world.member_sessions
    return world


def declare_room(world: World) -> int:
    """A fresh crisis for the room measurements (council 0), declared by the official of the token."""
    from django.db import connection
    from django_tenants.utils import tenant_context

    from agora.accounts.models import User
    from agora.municipalities.models import Municipality
    from tenants.crises.actions import do_declare_crisis

    official = User.objects.get(pk=world.official_id)
    with tenant_context(Municipality.objects.get(pk=world.municipality_id)):
        crisis = do_declare_crisis(
            title="Bank: zaal", kind="incident", council_ids=[world.council_ids[0]], acting_user=official
        )
    connection.set_schema_to_public()
    return crisis.pk


def close_open_crises(world: World) -> None:
    """Close what the run declared, so that the escalation runner has nothing left to do here."""
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from tenants.crises.models import Crisis

    with schema_context(world.schema):
        Crisis.objects.filter(status="open").update(status="closed", closed_at=timezone.now())
    connection.set_schema_to_public()


def end_sessions(world: World) -> None:
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key__in=world.session_keys).delete()


def drop(world: World) -> None:
    """For the smoke test: remove the municipality's schema (the test database's flush does the rest)."""
    from django.db import connection

    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{world.schema}" CASCADE')
