"""The national view's socket, ``/ws/national/`` on the public host (issue 11 point 4).

Streams the status changes (declared, quorum reached, closed) of crises in the police districts
the analyst is granted, and nothing else. Frames from the server::

    {"type": "hello", "districts": [{"id", "name", "unit", "level"}], "open_crises": [...]}
    {"type": "crisis", "change": "declared|quorum_reached|closed", "at", "district_id",
     "municipality": {"id", "name"}, "crisis": {...}}          (contacts: + title, declared_by, closed_by)
    {"type": "scope", "districts": [...], "open_crises": [...]}  (the grants changed: the new picture)
    {"type": "snapshot", "open_crises": [...]}                  (answer to ``snapshot``)
    {"type": "pong"}
    {"type": "error", "code": "...", "ref": ...}

Frames from the client: ``ping``, ``snapshot`` (the open crises again, from the read model: what
a client that may have missed a frame resynchronises from). Limits as in the crisis room: frames
over ``AGORA_ROOM_MAX_FRAME`` bytes, more than the token bucket allows, non-JSON or unknown ones
get an ``error`` and the socket stays open; a socket silent for ``AGORA_ROOM_IDLE_SECONDS`` is
closed (4408).

Who sees what is the grants' alone (``agora.national.access.granted_scope``), read:

- at the handshake: no session 4401; not an analyst, or no live grant, 4403; on a
  municipality's host (or any host but the public one) the socket does not exist, 4404;
- before EVERY delivery, so that a frame is never sent for a district whose grant ended,
  whatever the channel layer lost or delayed;
- when a grant changes (``agora.national.live.notify_scope_change_on_commit``, after the commit
  of the grant, change or revocation), and by a timer at the moment a grant expires or starts
  (``next_scope_change``): the socket leaves the groups it may no longer hear, joins new ones,
  says so in a ``scope`` frame, or closes (4403) when nothing is left.

A ``contacts`` frame names people; delivering one writes the person reads to the access log.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import schema_context

from agora.json_input import JsonTooDeep, loads_bounded
from realtime.crisis import (
    BAD_FRAME,
    CLOSE_FORBIDDEN,
    CLOSE_IDLE,
    CLOSE_NOT_FOUND,
    CLOSE_UNAUTHENTICATED,
    NOT_JSON,
    RATE_LIMITED,
    TOO_DEEP,
    TOO_LARGE,
    UNKNOWN_TYPE,
    TokenBucket,
)
from realtime.groups import national_district_group, national_user_group
from realtime.observed import ObservedSocket

logger = logging.getLogger("agora.realtime")

# A timer further away than this is re-armed (asyncio sleeps of weeks are fine, but a clock
# adjustment should not leave a socket open past a grant's end for long).
MAX_TIMER_SECONDS = 300.0


def on_public_host(host: str) -> bool:
    """Whether ``host`` (with or without port) is the public host, where the national view lives."""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name.strip().lower() == settings.AGORA_BASE_DOMAIN.lower()


# --- database work, in the public schema -----------------------------------------------------


def _public(func):
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with schema_context("public"):
            return func(*args, **kwargs)

    return database_sync_to_async(wrapper)


@_public
def _read_scope(user_id: int) -> dict[str, Any]:
    """The user's granted districts now (id to level), their names, and when that changes next.

    The user is read again: a deactivated account or a lost analyst flag sees nothing.
    """
    from agora.accounts.models import User
    from agora.geography.models import PoliceDistrict
    from agora.national.access import granted_scope, next_scope_change

    now = timezone.now()
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return {"levels": {}, "districts": [], "next_change": None}
    scope = granted_scope(user, now=now)
    districts = [
        {"id": d.pk, "name": d.name, "unit": d.unit.name, "level": scope.levels[d.pk]}
        for d in PoliceDistrict.objects.filter(pk__in=scope.district_ids)
        .select_related("unit")
        .order_by("unit__name", "name")
    ]
    return {
        "levels": dict(scope.levels),
        "districts": districts,
        "next_change": next_scope_change(user, now=now),
    }


@_public
def _open_crises(levels: dict[int, str]) -> list[dict[str, Any]]:
    """The open crises of these districts, counts only (the read model, ADR 0009), whatever the level."""
    from agora.national import aggregates
    from agora.national.schemas import tenants_of

    tenants = tenants_of(sorted(levels))
    contexts = aggregates.read_contexts(tenants)
    crises = aggregates.read_crises(contexts)
    return [
        {"district_id": t.district_id, "municipality": {"id": t.municipality_id, "name": t.name}, **crisis}
        for t in tenants
        for crisis in crises.get(t.municipality_id, [])
    ]


@_public
def _log_reads(user_id: int, person_reads: list[list[int]]) -> None:
    """A contacts frame named these memberships: the access log records that this user read them."""
    from agora.accounts.models import Membership, User
    from agora.audit.actions import log_person_reads
    from agora.municipalities.models import Municipality

    user = User(pk=user_id)
    by_municipality: dict[int, list[Membership]] = {}
    for municipality_id, membership_id in person_reads:
        by_municipality.setdefault(municipality_id, []).append(Membership(pk=membership_id))
    for municipality_id, objs in by_municipality.items():
        log_person_reads(
            actor=user,
            objs=objs,
            purpose="national view: live stream",
            municipality=Municipality(pk=municipality_id),
        )


class NationalConsumer(ObservedSocket, AsyncWebsocketConsumer):
    """One analyst's live stream of the granted districts' crises (see the module's docstring)."""

    socket_kind = "national"

    async def connect(self) -> None:
        self.groups_joined: set[str] = set()
        self.levels: dict[int, str] = {}
        self.timer: asyncio.Task | None = None
        self.watchdog: asyncio.Task | None = None
        headers = dict(self.scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1")
        if self.scope.get("tenant") is not None or not on_public_host(host):
            await self.close(code=CLOSE_NOT_FOUND)
            return
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user_id = user.pk
        read = await _read_scope(self.user_id)
        if not read["levels"]:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self._join(national_user_group(self.user_id))
        await self._follow(read)
        self.bucket = TokenBucket(settings.AGORA_ROOM_RATE_BURST, settings.AGORA_ROOM_RATE_PER_SECOND)
        self.last_heard = time.monotonic()
        await self.accept()
        # Read after joining the groups: a change committed meanwhile is in the list or comes live.
        await self._send(
            {"type": "hello", "districts": read["districts"], "open_crises": await _open_crises(self.levels)}
        )
        self.watchdog = asyncio.ensure_future(self._watch_idle())

    async def disconnect(self, code: int) -> None:
        for task in (self.timer, self.watchdog):
            if task is not None:
                task.cancel()
        for group in sorted(getattr(self, "groups_joined", ())):
            with contextlib.suppress(Exception):
                await self.channel_layer.group_discard(group, self.channel_name)

    # --- the scope -------------------------------------------------------------------------

    async def _join(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.add(group)

    async def _follow(self, read: dict[str, Any]) -> None:
        """Hear exactly the groups of ``read``'s districts at their levels; arm the expiry timer."""
        self.levels = {int(k): v for k, v in read["levels"].items()}
        wanted = {national_district_group(pk, level) for pk, level in self.levels.items()}
        wanted.add(national_user_group(self.user_id))
        for group in sorted(self.groups_joined - wanted):
            await self.channel_layer.group_discard(group, self.channel_name)
            self.groups_joined.discard(group)
        for group in sorted(wanted - self.groups_joined):
            await self._join(group)
        if self.timer is not None and self.timer is not asyncio.current_task():
            self.timer.cancel()
        self.timer = None
        if read["next_change"] is not None:
            self.timer = asyncio.ensure_future(self._at(read["next_change"]))

    async def _refresh(self, *, announce: bool) -> bool:
        """Read the grants again and follow them; False (and closed) when nothing is left."""
        read = await _read_scope(self.user_id)
        if not read["levels"]:
            self.levels = {}
            await self.close(code=CLOSE_FORBIDDEN)
            return False
        changed = read["levels"] != self.levels
        await self._follow(read)
        if announce and changed:
            await self._send(
                {
                    "type": "scope",
                    "districts": read["districts"],
                    "open_crises": await _open_crises(self.levels),
                }
            )
        return True

    async def _at(self, moment: dt.datetime) -> None:
        """Sleep until a grant ends or starts, then follow the grants as they are then."""
        while True:
            wait = (moment - timezone.now()).total_seconds()
            if wait <= 0:
                break
            await asyncio.sleep(min(wait, MAX_TIMER_SECONDS))
        try:
            await self._refresh(announce=True)
        except Exception:  # the next delivery re-reads the grants anyway
            logger.exception("national stream: re-reading the grants failed")

    async def _watch_idle(self) -> None:
        timeout = float(settings.AGORA_ROOM_IDLE_SECONDS)
        while True:
            await asyncio.sleep(max(timeout / 4, 0.05))
            if time.monotonic() - self.last_heard > timeout:
                await self.close(code=CLOSE_IDLE)
                return

    # --- frames from the client ------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        self.last_heard = time.monotonic()
        size = len(text_data.encode("utf-8")) if text_data is not None else len(bytes_data or b"")
        if size > settings.AGORA_ROOM_MAX_FRAME:
            return await self._error(TOO_LARGE)
        if not self.bucket.take():
            return await self._error(RATE_LIMITED)
        if text_data is None:
            return await self._error(BAD_FRAME)
        try:
            frame = loads_bounded(text_data)
        except JsonTooDeep:
            return await self._error(TOO_DEEP)
        except ValueError:
            return await self._error(NOT_JSON)
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            return await self._error(BAD_FRAME)
        if frame["type"] == "ping":
            return await self._send({"type": "pong"})
        if frame["type"] == "snapshot":
            if await self._refresh(announce=True):
                await self._send({"type": "snapshot", "open_crises": await _open_crises(self.levels)})
            return
        return await self._error(UNKNOWN_TYPE, ref=frame["type"][:40])

    # --- messages from the channel layer -----------------------------------------------------

    async def national_crisis(self, message: dict) -> None:
        """A crisis changed in a district: delivered only if the grants, read now, still cover it."""
        if not await self._refresh(announce=True):
            return
        district_id = int(message["district_id"])
        if self.levels.get(district_id) != message["level"]:
            return  # narrowed meanwhile, or this level's twin is the one meant for this socket
        if message.get("person_reads"):
            await _log_reads(self.user_id, message["person_reads"])
        await self._send(message["frame"])

    async def national_scope_changed(self, message: dict) -> None:
        await self._refresh(announce=True)

    async def agora_disconnect(self, message: dict) -> None:
        """Logout or a deactivated account (``realtime.revocation``): close now."""
        await self.close(code=int(message.get("code") or CLOSE_FORBIDDEN))

    async def _send(self, frame: dict) -> None:
        await self.send(text_data=json.dumps(frame, separators=(",", ":")))

    async def _error(self, code: str, *, ref: Any = None) -> None:
        frame: dict[str, Any] = {"type": "error", "code": code}
        if ref is not None:
            frame["ref"] = ref
        await self._send(frame)
