"""Committed data for the national stream's socket tests: towns in several districts that can
declare crises, analysts with grants, sockets on the public host.

Sockets read from their own threads (or another process), so everything is committed;
:func:`remove` deletes the tenant rows the flush after a transactional test leaves behind.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from dataclasses import dataclass, field

from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from agora.accounts.models import Membership, User
from agora.asgi import application
from agora.municipalities.models import Municipality
from agora.national.actions import do_grant_national_access

_n = itertools.count(1)


@dataclass
class Town:
    """A municipality with a council whose two leads may declare (and whose quorum is the leads)."""

    municipality: Municipality
    official: User
    police: User
    council_id: int
    district: object = None  # the municipality's police district, read once (sync)
    crisis_ids: list[int] = field(default_factory=list)
    # Every name a contacts frame may carry about this town: never in a summary frame.
    secrets: set[str] = field(default_factory=set)


def build_town(people, municipality: Municipality) -> Town:
    from tenants.councils.actions import do_create_council
    from tenants.crises.models import CrisisSettings

    key = f"Nq{uuid.uuid4().hex[:6]}"
    official = people.official(municipality.slug, key)
    police = people.police(municipality.slug, key)

    def membership(user: User) -> int:
        return Membership.objects.get(user=user, municipality=municipality).pk

    with tenant_context(municipality):
        council = do_create_council(
            name=f"Landelijk overleg {key}",
            municipal_lead_id=membership(official),
            police_lead_id=membership(police),
            started_on=timezone.localdate() - dt.timedelta(days=30),
            acting_user=official,
        ).council
        CrisisSettings.objects.update_or_create(singleton=True, defaults={"quorum_allies": 0})
    connection.set_schema_to_public()
    secrets = {official.last_name, police.last_name, official.display_name, police.display_name}
    district = type(municipality).objects.select_related("district").get(pk=municipality.pk).district
    return Town(municipality, official, police, council.pk, district=district, secrets=secrets)


def declare(town: Town, title: str | None = None) -> int:
    """A crisis declared by the town's official (committed); its title joins the town's secrets."""
    from tenants.crises.actions import do_declare_crisis

    title = title or f"Onrust-{next(_n)}-{uuid.uuid4().hex[:6]}"
    with tenant_context(town.municipality):
        crisis = do_declare_crisis(
            title=title, kind="unrest", council_ids=[town.council_id], acting_user=town.official
        )
    connection.set_schema_to_public()
    town.crisis_ids.append(crisis.pk)
    town.secrets.add(title)
    return crisis.pk


def reach_quorum(town: Town, crisis_id: int) -> None:
    from tenants.crises.actions import do_respond

    with tenant_context(town.municipality):
        do_respond(crisis_id, answer="coming", eta_minutes=10, acting_user=town.official)
        do_respond(crisis_id, answer="remote", acting_user=town.police)
    connection.set_schema_to_public()


def close(town: Town, crisis_id: int) -> None:
    from tenants.crises.actions import do_close_crisis

    with tenant_context(town.municipality):
        do_close_crisis(crisis_id, acting_user=town.official)
    connection.set_schema_to_public()


def remove(towns: list[Town]) -> None:
    from tenants.councils.models import Council, CouncilMember
    from tenants.crises.models import Convocation, Crisis, CrisisEvent, RoomVisit

    for town in towns:
        with tenant_context(town.municipality):
            RoomVisit.objects.all().delete()
            CrisisEvent.objects.all().delete()
            Convocation.objects.all().delete()
            Crisis.objects.all().delete()
            CouncilMember.objects.filter(council_id=town.council_id).delete()
            Council.objects.filter(pk=town.council_id).delete()
    connection.set_schema_to_public()


def analyst(**fields) -> User:
    return User.objects.create_user(
        username=f"live-analyst-{next(_n)}-{uuid.uuid4().hex[:6]}",
        password="x" * 12,
        is_national_analyst=True,
        **fields,
    )


def operator() -> User:
    return User.objects.create_superuser(username=f"live-operator-{uuid.uuid4().hex[:8]}", password="x" * 12)


def grant(
    user: User, by: User, *, level: str = "summary", seconds: float = 86400, start: float = -60, **scope
):
    now = timezone.now()
    # In the public schema, as the operator's admin and command are: this runs in a worker thread
    # whose connection may still point at a municipality of an earlier test.
    with schema_context("public"):
        return do_grant_national_access(
            user,
            level=level,
            purpose="live test",
            valid_from=now + dt.timedelta(seconds=start),
            valid_until=now + dt.timedelta(seconds=seconds),
            acting_user=by,
            **scope,
        )


def public_cookie(user: User) -> str:
    client = Client(HTTP_HOST=settings.AGORA_BASE_DOMAIN)
    client.force_login(user)
    return client.cookies["sessionid"].value


def national_socket(
    session: str | None, *, host: str | None = None, origin: str | None = "same"
) -> WebsocketCommunicator:
    """``/ws/national/`` through the full ASGI application; the public host unless told."""
    host = host or settings.AGORA_BASE_DOMAIN
    headers = [(b"host", host.encode())]
    if origin == "same":
        origin = f"http://{host}"
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if session:
        headers.append((b"cookie", f"sessionid={session}".encode()))
    return WebsocketCommunicator(application, "/ws/national/", headers=headers)
