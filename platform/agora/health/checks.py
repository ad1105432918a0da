"""Readiness checks: can this process reach its database and its channel layer?"""

from __future__ import annotations

import asyncio
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, "ok"
    except Exception as error:
        return False, type(error).__name__


async def _round_trip(timeout: float) -> None:
    layer = get_channel_layer()
    channel = await layer.new_channel("readyz.")
    await layer.send(channel, {"type": "readyz.ping", "at": time.time()})
    await asyncio.wait_for(layer.receive(channel), timeout)


def check_channel_layer(timeout: float = 2.0) -> tuple[bool, str]:
    """Send a message to a fresh channel and read it back."""
    try:
        async_to_sync(_round_trip)(timeout)
        return True, "ok"
    except Exception as error:
        return False, type(error).__name__
