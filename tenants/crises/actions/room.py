"""Writing in the room: log entries (messages, decisions, tasks), the summary, presence, closing.

A post carries the client's own id (``client_msg_id``, a UUID): the same id from the same author
in the same crisis is the same post, whether it comes again over the socket, over REST or after
a reconnect, and gets the sequence number it got the first time (Matrix's transaction ids).
The crisis row is locked first, so two copies racing each other are serialised on it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from agora.accounts.actors import find_member, require_member, require_staff
from agora.accounts.roles import Role
from agora.audit.actions import record_action
from agora.national.live import announce_crisis_change
from tenants.crises import errors
from tenants.crises.access import RoomSeat, access_crisis_by_id
from tenants.crises.log import append_event
from tenants.crises.models import Convocation, Crisis, CrisisEvent, CrisisStatus, RoomVisit
from tenants.crises.queries import present_sides_meet_quorum

MAX_BODY = 4000
ENTRY_KINDS = {"message": "message.posted", "decision": "decision.recorded", "task": "task.assigned"}


@dataclass(frozen=True)
class Posted:
    event: CrisisEvent
    created: bool


def _client_msg_id(raw: Any) -> uuid.UUID:
    try:
        return raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))
    except (ValueError, TypeError, AttributeError) as error:
        raise errors.CRISIS_CLIENT_MSG_ID_INVALID(fields={"client_msg_id": [str(raw)[:64]]}) from error


def _body(raw: Any, *, field: str = "body") -> str:
    text = raw.strip() if isinstance(raw, str) else ""
    if not text or len(text) > MAX_BODY or "\x00" in text:
        raise errors.CRISIS_BODY_INVALID(fields={field: ["invalid"]})
    return text


def room_seat(acting_user: Any, crisis_id: Any, *, writing: bool = True) -> RoomSeat:
    """The acting user's seat in an open crisis room, re-checked through the actor core."""
    require_member(acting_user)
    seat = access_crisis_by_id(acting_user, crisis_id, for_update=writing)
    if seat.crisis.is_drill:
        raise errors.CRISIS_IS_DRILL()
    return seat


def _owner(crisis: Crisis, raw: Any) -> int:
    lookup = find_member(roles=Role.values, user_id=raw)
    if lookup.problem is not None or lookup.membership is None:
        raise errors.CRISIS_TASK_OWNER_INVALID(fields={"owner_id": [str(raw)]})
    membership = lookup.membership
    staff = membership.role in (Role.OFFICIAL, Role.POLICE)
    if not staff and not Convocation.objects.filter(crisis=crisis, user_id=membership.user_id).exists():
        raise errors.CRISIS_TASK_OWNER_INVALID(fields={"owner_id": [str(raw)]})
    return membership.user_id


@transaction.atomic
def do_post_entry(
    crisis_id: Any,
    *,
    client_msg_id: Any,
    body: Any,
    kind: str = "message",
    owner_id: Any = None,
    acting_user: Any,
    now: dt.datetime | None = None,
) -> Posted:
    """Add a message, a decision or a task (with an owner) to the log, once per client_msg_id."""
    msg_id = _client_msg_id(client_msg_id)
    seat = room_seat(acting_user, crisis_id)
    crisis = seat.crisis
    existing = (
        CrisisEvent.objects.filter(crisis=crisis, author=acting_user, client_msg_id=msg_id)
        .order_by("seq")
        .first()
    )
    if existing is not None:
        return Posted(existing, created=False)
    if crisis.status != CrisisStatus.OPEN:
        raise errors.CRISIS_CLOSED()
    if kind not in ENTRY_KINDS:
        raise errors.CRISIS_ENTRY_KIND_INVALID(fields={"kind": [str(kind)[:32]]})
    text = _body(body)
    payload: dict[str, Any] = {"body": text, "author_name": _author_name(acting_user)}
    if kind == "task":
        payload["owner_id"] = _owner(crisis, owner_id)
    event = append_event(
        crisis, ENTRY_KINDS[kind], payload, author=acting_user, client_msg_id=msg_id, at=now or timezone.now()
    )
    return Posted(event, created=True)


def _author_name(user: Any) -> str:
    return user.get_full_name() or user.username


@transaction.atomic
def do_update_summary(
    crisis_id: Any, *, text: Any, acting_user: Any, now: dt.datetime | None = None
) -> CrisisEvent:
    """Replace the situation summary; the log keeps every version with who and when."""
    seat = room_seat(acting_user, crisis_id)
    crisis = seat.crisis
    if crisis.status != CrisisStatus.OPEN:
        raise errors.CRISIS_CLOSED()
    summary = _body(text, field="text")
    now = now or timezone.now()
    Crisis.objects.filter(pk=crisis.pk).update(
        summary=summary, summary_updated_at=now, summary_updated_by=acting_user
    )
    return append_event(
        crisis,
        "summary.updated",
        {"text": summary, "author_name": _author_name(acting_user)},
        author=acting_user,
        at=now,
    )


@transaction.atomic
def do_close_crisis(crisis_id: Any, *, acting_user: Any, now: dt.datetime | None = None) -> Crisis:
    """An official or police officer closes the crisis: the room freezes; the timeline is final."""
    require_staff(acting_user)
    crisis = access_crisis_by_id(acting_user, crisis_id, for_update=True).crisis
    if crisis.status != CrisisStatus.OPEN:
        raise errors.CRISIS_CLOSED()
    now = now or timezone.now()
    crisis.status = CrisisStatus.CLOSED
    crisis.closed_at = now
    crisis.closed_by = acting_user
    crisis.save(update_fields=["status", "closed_at", "closed_by"])
    RoomVisit.objects.filter(crisis=crisis, left_at__isnull=True).update(left_at=now)
    append_event(crisis, "crisis.closed", {"closed_at": now.isoformat()}, author=acting_user, at=now)
    announce_crisis_change(crisis, "closed", at=now)
    record_action("crises.closed", actor=acting_user, obj=crisis, detail={"last_seq": crisis.last_seq})
    return crisis


@transaction.atomic
def enter_room(crisis_id: int, *, acting_user: Any, channel_name: str, now: dt.datetime | None = None) -> int:
    """Presence: a socket entered the room. The first time the people present make a quorum,
    the log records the first meeting. Returns the visit's id."""
    # No row lock to come in: a thousand people joining at once must not queue on the crisis row.
    # Only the first meeting (once per crisis) takes the lock, and checks again under it.
    seat = room_seat(acting_user, crisis_id, writing=False)
    now = now or timezone.now()
    visit = RoomVisit.objects.create(
        crisis=seat.crisis, user=acting_user, channel_name=channel_name, joined_at=now
    )
    crisis = seat.crisis
    if crisis.is_open and crisis.first_meeting_at is None and present_sides_meet_quorum(crisis):
        locked = Crisis.objects.select_for_update().get(pk=crisis.pk)
        if locked.is_open and locked.first_meeting_at is None:
            Crisis.objects.filter(pk=crisis.pk).update(first_meeting_at=now)
            append_event(locked, "room.first_meeting", {"at": now.isoformat()}, at=now)
    return visit.pk


def leave_room(visit_id: int, *, now: dt.datetime | None = None) -> None:
    RoomVisit.objects.filter(pk=visit_id, left_at__isnull=True).update(left_at=now or timezone.now())
