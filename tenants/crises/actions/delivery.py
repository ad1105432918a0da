"""Recording what became of each call, channel by channel, after the notifiers ran.

The calls go out after the declaring (or escalating) transaction commits; their outcome is then
written back in a transaction of its own: each convocation's ``delivery`` per channel, and one
``rollcall.delivered`` event in the room's log, so that the roll-call shows "SMS failed" or
"no number" live instead of skipping the person. A person whose every tried channel failed and
who has no login is marked unreachable: nothing reached them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.crises.log import append_event
from tenants.crises.models import Convocation
from tenants.crises.notify import FAILED, NO_LOGIN, SENT, CallMessage, Recipient, deliver


@dataclass(frozen=True)
class PendingCall:
    """One call to send after the commit: to whom (the convocation), over which addresses, what."""

    convocation_id: int
    recipient: Recipient
    message: CallMessage


def send_calls(
    crisis_id: int, calls: list[PendingCall], *, schema: str, now: dt.datetime | None = None
) -> None:
    """Send each call, then record every outcome (also when a backend raised: ``failed``)."""
    outcomes = {call.convocation_id: deliver(call.recipient, call.message) for call in calls}
    with schema_context(schema):
        record_delivery(crisis_id, outcomes, now=now)


@transaction.atomic
def record_delivery(
    crisis_id: int, outcomes: dict[int, dict[str, str]], *, now: dt.datetime | None = None
) -> None:
    """Store the per-channel outcome on each convocation and log it once for the room.

    Runs as the system after the notifiers (nobody acts): it only writes down what happened.
    """
    if not outcomes:
        return
    now = now or timezone.now()
    rows = []
    for convocation in Convocation.objects.select_for_update().filter(pk__in=outcomes).order_by("pk"):
        delivery = {**convocation.delivery, **outcomes[convocation.pk]}
        convocation.delivery = delivery
        convocation.delivered_at = now
        tried = [status for channel, status in delivery.items() if channel != "app"]
        nothing_reached = delivery.get("app", NO_LOGIN) != SENT and SENT not in tried
        if nothing_reached and convocation.reachable:
            convocation.reachable = False
        convocation.save(update_fields=["delivery", "delivered_at", "reachable"])
        rows.append({"convocation_id": convocation.pk, **delivery, "reachable": convocation.reachable})
    append_event(
        crisis_id,
        "rollcall.delivered",
        {
            "deliveries": rows,
            "failed": sum(1 for row in rows for status in row.values() if status == FAILED),
        },
        at=now,
    )
