"""Persist, then broadcast: events go to a tenant's group only after the transaction commits."""

from __future__ import annotations

from typing import Any, TypedDict

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, transaction

from realtime.groups import group_name


class Event(TypedDict):
    type: str  # the consumer handler, always "agora.event"
    event: str  # what happened, e.g. "signal.answered"
    payload: dict[str, Any]


def send_event_on_commit(topic: str, event: str, payload: dict[str, Any]) -> None:
    """Broadcast ``event`` to the current tenant's ``topic`` group once the data is committed.

    The channel layer may drop messages; the data is already in PostgreSQL, which is what
    clients resume from.
    """
    schema = connection.schema_name
    message: Event = {"type": "agora.event", "event": event, "payload": payload}

    def _send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group_name(schema, topic), message)

    transaction.on_commit(_send)
