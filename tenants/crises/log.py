"""The room's log: one sequence number per crisis without gaps, stored before it is broadcast.

:func:`append_event` raises the crisis row's counter with one ``UPDATE ... RETURNING`` (which
takes the row lock) and inserts the event in the caller's transaction: two writers in one room
are serialised on that row, a rolled-back write gives its number back (the counter rolls back
with it), so the numbers have no gaps. The broadcast goes out on commit; if the channel layer
drops it, the client sees a gap (or nothing) and asks for ``seq > k``, which
:func:`events_after` answers from the table.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import connection
from django.utils import timezone

from realtime.events import send_to_groups_on_commit
from realtime.groups import crisis_group
from tenants.crises.models import Crisis, CrisisEvent

# The socket consumer's handler for a broadcast event (``crisis_event``).
BROADCAST_TYPE = "crisis.event"
MAX_PAGE = 500


def event_frame(event: CrisisEvent) -> dict[str, Any]:
    """The wire form of one event, the same over the socket and REST."""
    frame: dict[str, Any] = {
        "type": "event",
        "seq": event.seq,
        "kind": event.kind,
        "at": event.created_at.isoformat(),
        "author_id": event.author_id,
        "data": event.payload,
    }
    if event.client_msg_id is not None:
        frame["client_msg_id"] = str(event.client_msg_id)
    return frame


def append_event(
    crisis: Crisis | int,
    kind: str,
    payload: dict[str, Any],
    *,
    author: Any = None,
    client_msg_id: uuid.UUID | None = None,
    at: dt.datetime | None = None,
) -> CrisisEvent:
    """Number and store one event, and broadcast it to the room once the transaction commits."""
    crisis_id = crisis if isinstance(crisis, int) else crisis.pk
    seq = _next_seq(crisis_id)
    if isinstance(crisis, Crisis):
        crisis.last_seq = seq
    event = CrisisEvent.objects.create(
        crisis_id=crisis_id,
        seq=seq,
        kind=kind,
        payload=payload,
        author=author,
        client_msg_id=client_msg_id,
        created_at=at or timezone.now(),
    )
    send_to_groups_on_commit(
        [crisis_group(connection.schema_name, crisis_id)],
        {"type": BROADCAST_TYPE, "event": event_frame(event)},
    )
    return event


# One round trip: the UPDATE takes the row lock (as SELECT ... FOR UPDATE did) and returns the
# new number; a post is a handful of statements, and each costs a round trip before the ack.
_NEXT_SEQ = 'UPDATE "crises_crisis" SET "last_seq" = "last_seq" + 1 WHERE "id" = %s RETURNING "last_seq"'


def _next_seq(crisis_id: int) -> int:
    """Raise the crisis's counter under its row lock and return the new value."""
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_SEQ, [crisis_id])
        row = cursor.fetchone()
    if row is None:
        raise Crisis.DoesNotExist(f"crisis {crisis_id}")
    return row[0]


def events_after(crisis_id: int, after: int, *, limit: int = MAX_PAGE) -> list[dict[str, Any]]:
    """The stored events with ``seq > after``, in order (at most ``limit``)."""
    rows = CrisisEvent.objects.filter(crisis_id=crisis_id, seq__gt=max(int(after), 0)).order_by("seq")
    return [event_frame(event) for event in rows[:limit]]
