"""Persist, then broadcast: events go to a tenant's groups only after the transaction commits."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, TypedDict

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, transaction

from realtime.groups import ally_group, staff_group

# Lists that tests hold open with ``tests.helpers.capture_events``: every event sent after commit
# is also appended to each, with the groups it went to (the channel layer still gets it).
_capturing: list[list[SentEvent]] = []

logger = logging.getLogger("agora.realtime")


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
        send_to_groups(groups, dict(message))

    transaction.on_commit(_send)


def send_to_groups(groups: Iterable[str], message: dict[str, Any]) -> bool:
    """Hand ``message`` to the channel layer for each group; False (logged) if the layer failed.

    Runs after a commit: the data is stored, and a layer that is down (Redis gone) must not turn
    a stored write into a failed request. Clients catch up from the database by sequence number.
    """
    layer = get_channel_layer()
    if layer is None:
        return True
    targets = list(groups)

    async def fan_out() -> None:
        for group in targets:
            await layer.group_send(group, message)

    try:
        async_to_sync(fan_out)()
    except Exception:  # whatever the layer raises (ConnectionError, timeouts, ...)
        logger.warning("channel layer send failed; clients will catch up by resume", exc_info=True)
        return False
    return True


def send_to_groups_on_commit(groups: Iterable[str], message: dict[str, Any]) -> None:
    """:func:`send_to_groups` once the current transaction commits (nothing on a rollback)."""
    targets = list(groups)
    transaction.on_commit(lambda: send_to_groups(targets, message))
