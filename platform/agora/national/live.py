"""The national view's live stream, sending side: a crisis's status changes, after the commit.

Issue 11 point 4. A crisis action (declared, quorum reached, closed) calls
:func:`announce_crisis_change` inside its transaction, in the municipality's schema; the frames
are built there, from the committed-to-be rows, and handed to the channel layer only from
``transaction.on_commit`` (persist, then broadcast: a rolled-back declaration announces nothing).

Two frames per change, one per grant level, each to its own group of the municipality's police
district (``realtime.groups.national_district_group``):

- ``summary``: what happened, where (district, municipality) and when; kind, states and times of
  the crisis. No title or summary (free text written in the room that may name a person), no
  person.
- ``contacts``: the same plus the title and the names of who declared and who closed it. The
  socket logs those person reads (the memberships named) when it delivers the frame.

Drills are no crisis: they announce nothing. The receiving side is ``realtime.national``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, TypedDict

from django.db import connection, transaction

from agora.national.models import GrantLevel
from realtime import events
from realtime.groups import national_district_group

Change = Literal["declared", "quorum_reached", "closed"]
CHANGES: tuple[Change, ...] = ("declared", "quorum_reached", "closed")


class CrisisFrame(TypedDict, total=False):
    type: str  # always "crisis"
    change: Change
    at: str
    district_id: int
    municipality: dict[str, Any]
    crisis: dict[str, Any]
    declared_by: str | None  # contacts only
    closed_by: str | None  # contacts only


class CrisisMessage(TypedDict):
    """What the channel layer carries to one level's group (handler ``national_crisis``)."""

    type: str  # "national.crisis"
    district_id: int
    level: str
    frame: CrisisFrame
    # Contacts only: (municipality id, membership id) of each person the frame names, for the log.
    person_reads: list[list[int]]


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _membership_of(user_id: int | None, municipality_id: int) -> Any:
    from agora.accounts.models import Membership

    if not user_id:
        return None
    return (
        Membership.objects.filter(user_id=user_id, municipality_id=municipality_id)
        .select_related("user")
        .first()
    )


def _display(membership: Any) -> str | None:
    return membership.user.display_name if membership is not None else None


def crisis_messages(
    crisis: Any, change: Change, municipality: Any, *, at: dt.datetime
) -> list[CrisisMessage]:
    """The two messages (summary, contacts) announcing ``change`` of ``crisis`` in ``municipality``."""
    if change not in CHANGES:
        raise ValueError(f"unknown crisis change {change!r}")
    district_id = municipality.district_id
    summary: CrisisFrame = {
        "type": "crisis",
        "change": change,
        "at": at.isoformat(),
        "district_id": district_id,
        "municipality": {"id": municipality.pk, "name": municipality.name},
        "crisis": {
            "id": crisis.pk,
            "kind": crisis.kind,
            "status": crisis.status,
            "declared_at": _iso(crisis.declared_at),
            "deadline_at": _iso(crisis.deadline_at),
            "quorum_reached": crisis.quorum_at is not None,
            "quorum_at": _iso(crisis.quorum_at),
            "closed_at": _iso(crisis.closed_at),
        },
    }
    declared_by = _membership_of(crisis.declared_by_id, municipality.pk)
    closed_by = _membership_of(crisis.closed_by_id, municipality.pk)
    contacts: CrisisFrame = {
        **summary,
        "crisis": {**summary["crisis"], "title": crisis.title},
        "declared_by": _display(declared_by),
        "closed_by": _display(closed_by),
    }
    named = sorted({m.pk for m in (declared_by, closed_by) if m is not None})
    return [
        {
            "type": "national.crisis",
            "district_id": district_id,
            "level": GrantLevel.SUMMARY,
            "frame": summary,
            "person_reads": [],
        },
        {
            "type": "national.crisis",
            "district_id": district_id,
            "level": GrantLevel.CONTACTS,
            "frame": contacts,
            "person_reads": [[municipality.pk, pk] for pk in named],
        },
    ]


def _current_municipality() -> Any:
    """The municipality of the current schema (a ``schema_context`` carries no Municipality)."""
    from agora.municipalities.models import Municipality

    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Municipality):
        return tenant
    return Municipality.objects.filter(schema_name=connection.schema_name).first()


def announce_crisis_change(crisis: Any, change: Change, *, at: dt.datetime) -> None:
    """Queue ``change`` of ``crisis`` (current tenant) for the national stream, sent on commit.

    Nothing for a drill, nor for a municipality outside every police district (no grant can
    cover it).
    """
    if crisis.is_drill:
        return
    municipality = _current_municipality()
    if municipality is None or not municipality.district_id:
        return
    messages = crisis_messages(crisis, change, municipality, at=at)

    def _send() -> None:
        for message in messages:
            group = national_district_group(message["district_id"], message["level"])
            for captured in events._capturing:
                captured.append({"event": f"national.crisis.{change}", "payload": message, "groups": [group]})
            events.send_to_groups([group], dict(message))

    transaction.on_commit(_send)


def notify_scope_change_on_commit(*user_ids: int | None) -> None:
    """After the commit, tell the national sockets of these analysts that their grants changed.

    The socket re-reads its scope at once and narrows, widens or closes; it also re-reads it
    before every delivery, so a lost notice delays nothing that matters.
    """
    from realtime.groups import national_user_group

    targets = sorted({int(pk) for pk in user_ids if pk})
    if targets:
        events.send_to_groups_on_commit(
            [national_user_group(pk) for pk in targets], {"type": "national.scope_changed"}
        )
