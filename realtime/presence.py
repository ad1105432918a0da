"""Presence in a crisis room, told to the room at most a few times a second, not once per join.

Every join and every leave changes who is present, and each used to be broadcast to everyone in
the room at once: when a thousand members join within a minute at 2 a.m., that is half a million
frames, each with the whole list of who is present, and the room's real traffic (the log) queues
behind them. Presence is a nudge (the state comes with every ``hello``, and the page re-reads its
status column), so a process holds a room's changes for
``settings.AGORA_ROOM_PRESENCE_SECONDS`` from the first one and then sends only the newest frame:
one frame per room per interval per process, carrying the latest list, whatever the number of
joins in between. 0 sends every change at once (as before).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from django.conf import settings

logger = logging.getLogger("agora.realtime")

# group -> the newest presence frame not yet sent, per process (and per event loop: tests run
# several); the flush task of each group is kept beside it.
_pending: dict[tuple[int, str], dict[str, Any]] = {}
_flushes: dict[tuple[int, str], asyncio.Task] = {}


async def announce(layer: Any, group: str, frame: dict[str, Any]) -> None:
    """Tell ``group`` about ``frame`` (a ``presence`` frame), coalesced with the others of the interval."""
    delay = float(settings.AGORA_ROOM_PRESENCE_SECONDS)
    message = {"type": "room.presence", "frame": frame}
    if delay <= 0:
        await _send(layer, group, message)
        return
    key = (id(asyncio.get_running_loop()), group)
    _pending[key] = message
    if key not in _flushes:
        _flushes[key] = asyncio.ensure_future(_flush_later(layer, group, key, delay))


async def _flush_later(layer: Any, group: str, key: tuple[int, str], delay: float) -> None:
    try:
        await asyncio.sleep(delay)
    finally:
        _flushes.pop(key, None)
        message = _pending.pop(key, None)
    if message is not None:
        await _send(layer, group, message)


async def _send(layer: Any, group: str, message: dict[str, Any]) -> None:
    try:
        await layer.group_send(group, message)
    except Exception:  # presence is a nudge; the state comes with every hello
        logger.warning("presence broadcast failed", exc_info=True)
