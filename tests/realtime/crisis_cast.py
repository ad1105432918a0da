"""A committed crisis in Utrecht for the socket tests: staff, a council with allies, a declared crisis.

The sockets read from their own threads and connections (or another process), so everything is
committed; :func:`remove` deletes what the flush after a transactional test would not.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import uuid
from dataclasses import dataclass, field

from channels.testing import WebsocketCommunicator
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from agora.accounts.models import Membership, User
from agora.asgi import application
from agora.municipalities.models import Municipality
from agora.municipalities.provisioning import host_for
from tests.realtime.stack import session_cookie

_n = itertools.count(1)


@dataclass
class CrisisCast:
    crisis_id: int
    official: User
    police: User
    official2: User
    police2: User
    ally_users: list[User]
    ally_ids: list[int]
    council_id: int
    neighbourhood_id: int
    extra_crisis_ids: list[int] = field(default_factory=list)


def build(people, utrecht: Municipality) -> CrisisCast:
    from tenants.councils.actions import do_create_council
    from tenants.crises.actions import do_declare_crisis
    from tenants.networkmap.models import KeyFigure, Neighbourhood

    official, police = people.official("utrecht"), people.police("utrecht")
    official2, police2 = people.official("utrecht", "2"), people.police("utrecht", "2")
    ally_users = [people.ally("utrecht", f"c{i}") for i in range(2)]

    def membership(user: User) -> int:
        return Membership.objects.get(user=user, municipality=utrecht).pk

    with tenant_context(utrecht):
        neighbourhood = Neighbourhood.objects.create(name=f"Crisiswijk {uuid.uuid4().hex[:8]}")
        allies = []
        for user in ally_users:
            n = next(_n)
            kf = KeyFigure.objects.create(
                first_name=f"Bond{n}",
                last_name=f"Genoot{n}",
                mobile=f"+3161{n:07d}",
                user=user,
                neighbourhood=neighbourhood,
            )
            KeyFigure.objects.filter(pk=kf.pk).update(is_ally=True)
            allies.append(kf.pk)
        council = do_create_council(
            name=f"Crisisoverleg {uuid.uuid4().hex[:6]}",
            municipal_lead_id=membership(official),
            municipal_deputy_id=membership(official2),
            police_lead_id=membership(police),
            police_deputy_id=membership(police2),
            started_on=timezone.localdate() - dt.timedelta(days=30),
            key_figure_ids=allies,
            acting_user=official,
        ).council
        crisis = do_declare_crisis(
            title="Onrust", kind="unrest", council_ids=[council.pk], acting_user=official
        )
    connection.set_schema_to_public()
    return CrisisCast(
        crisis.pk, official, police, official2, police2, ally_users, allies, council.pk, neighbourhood.pk
    )


def remove(utrecht: Municipality, cast: CrisisCast) -> None:
    from tenants.councils.models import Council, CouncilMember
    from tenants.crises.models import Convocation, Crisis, CrisisEvent, RoomVisit
    from tenants.networkmap.models import KeyFigure, Neighbourhood

    with tenant_context(utrecht):
        RoomVisit.objects.all().delete()
        CrisisEvent.objects.all().delete()
        Convocation.objects.all().delete()
        Crisis.objects.all().delete()
        CouncilMember.objects.filter(council_id=cast.council_id).delete()
        Council.objects.filter(pk=cast.council_id).delete()
        KeyFigure.objects.filter(pk__in=cast.ally_ids).delete()
        Neighbourhood.objects.filter(pk=cast.neighbourhood_id).delete()
    connection.set_schema_to_public()


def room_socket(
    slug: str, crisis_id, session: str | None, *, origin: str | None = "same", path: str | None = None
) -> WebsocketCommunicator:
    host = host_for(slug)
    headers = [(b"host", host.encode())]
    if origin == "same":
        origin = f"http://{host}"
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if session:
        headers.append((b"cookie", f"sessionid={session}".encode()))
    return WebsocketCommunicator(application, path or f"/ws/crisis/{crisis_id}/", headers=headers)


def cookie(user: User, slug: str = "utrecht") -> str:
    return session_cookie(user, slug)


def post_frame(body: str, msg_id: str | None = None) -> str:
    return json.dumps({"type": "post", "client_msg_id": msg_id or str(uuid.uuid4()), "body": body})
