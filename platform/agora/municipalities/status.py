"""The operator's view of every municipality: is it there, up to date, in use? (Plain data.)

Read by the operator's page on the public host (``/beheer/gemeenten/``). One query per column
over all municipalities, not one per municipality, except the migration state, which reads each
schema's ``django_migrations`` (``agora.migration_state``, the same test ``agora demo`` uses).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Max, Q

from agora.accounts.models import Membership
from agora.accounts.roles import Role
from agora.audit.models import AuditEvent
from agora.migration_state import schemas_needing_migration
from agora.municipalities.models import Municipality


@dataclass(frozen=True)
class MunicipalityStatus:
    name: str
    slug: str
    cbs_code: str
    schema_name: str
    schema_present: bool
    migrated: bool
    members: int
    invitations_pending: int  # officials invited who have not set a password yet
    invitations_accepted: int
    last_activity: dt.datetime | None  # the latest audit event in this municipality


def municipality_statuses() -> list[MunicipalityStatus]:
    connection.set_schema_to_public()
    municipalities = list(Municipality.objects.order_by("name"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        schemas = {row[0] for row in cursor.fetchall()}
    pending_schemas = set(schemas_needing_migration())
    members = dict(
        Membership.objects.filter(is_active=True)
        .values_list("municipality_id")
        .annotate(n=Count("id"))
        .values_list("municipality_id", "n")
    )
    invited = set(
        AuditEvent.objects.filter(action="municipalities.official_invited").values_list(
            "object_id", flat=True
        )
    )
    invitations: dict[int, list[int]] = {}
    for municipality_id, password in Membership.objects.filter(
        role=Role.OFFICIAL, pk__in=[int(i) for i in invited if i.isdigit()]
    ).values_list("municipality_id", "user__password"):
        counts = invitations.setdefault(municipality_id, [0, 0])
        counts[0 if password.startswith("!") else 1] += 1  # "!": Django's unusable password
    last = dict(
        AuditEvent.objects.filter(~Q(municipality=None))
        .values("municipality_id")
        .annotate(at=Max("created_at"))
        .values_list("municipality_id", "at")
    )
    return [
        MunicipalityStatus(
            name=m.name,
            slug=m.slug,
            cbs_code=m.cbs_code,
            schema_name=m.schema_name,
            schema_present=m.schema_name in schemas,
            migrated=m.schema_name in schemas and m.schema_name not in pending_schemas,
            members=members.get(m.pk, 0),
            invitations_pending=invitations.get(m.pk, [0, 0])[0],
            invitations_accepted=invitations.get(m.pk, [0, 0])[1],
            last_activity=last.get(m.pk),
        )
        for m in municipalities
    ]
