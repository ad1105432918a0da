"""Persist, then broadcast: events go to a tenant's groups only after the transaction commits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypedDict

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, transaction

from realtime.groups import ally_group, staff_group

# Lists that tests hold open with ``tests.helpers.capture_events``: every event sent after commit
# is also appended to each, with the groups it went to (the channel layer still gets it).
_capturing: list[list[SentEvent]] = []


class Event(TypedDict):
    type: str  # the consumer handler, always "agora.event"
    event: str  # what happened, e.g. "signal.answered"
    payload: dict[str, Any]


class SentEvent(TypedDict):
    event: str
    payload: dict[str, Any]
    groups: list[str]


def send_event_on_commit(
    topic: str, event: str, payload: dict[str, Any], *, ally_ids: Iterable[int] = ()
) -> None:
    """Broadcast ``event`` on the current tenant's ``topic`` once the data is committed.

    It always goes to the tenant's staff group, and to the own group of each ally in
    ``ally_ids`` (key figure ids in the current schema) only: an event is never sent to all
    allies at once. The channel layer may drop messages; the data is already in PostgreSQL,
    which is what clients resume from.
    """
    schema = connection.schema_name
    message: Event = {"type": "agora.event", "event": event, "payload": payload}
    groups = [staff_group(schema, topic)]
    groups += [ally_group(schema, topic, pk) for pk in sorted({int(pk) for pk in ally_ids})]

    def _send() -> None:
        for captured in _capturing:
            captured.append({"event": event, "payload": payload, "groups": list(groups)})
        layer = get_channel_layer()
        if layer is None:
            return

        async def fan_out() -> None:
            for group in groups:
                await layer.group_send(group, message)

        async_to_sync(fan_out)()

    transaction.on_commit(_send)
