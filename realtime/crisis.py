"""The crisis-room socket, ``/ws/crisis/<crisis id>/``: the protocol of issue 10, on the actions.

Frames from the server::

    {"type": "hello", "crisis": id, "last_seq": n, "state": {...}, "you": {...}}
    {"type": "event", "seq": n, "kind": "...", "at": iso, "author_id": id, "data": {...}}
    {"type": "ack", "client_msg_id": uuid, "seq": n, "created": bool}
    {"type": "answered", "convocation_id": id, "seq": n}
    {"type": "resumed", "after": k, "last_seq": n}
    {"type": "presence", "user_id": id, "present": bool, "present_user_ids": [...]}
    {"type": "pong", "last_seq": n}
    {"type": "error", "code": "...", "detail": "...", "ref": ...}

Frames from the client: ``resume`` {after}, ``post`` {client_msg_id, body, kind?, owner_id?},
``respond`` {answer, eta_minutes}, ``summary`` {text}, ``contact_ally`` {convocation_id},
``ping``. A bad frame gets an ``error`` and the socket stays open.

Ordering: the socket keeps a cursor, the last seq it delivered. A broadcast event at or below it
is a duplicate and dropped; one beyond ``cursor + 1`` means the layer lost something, and the gap
is read from PostgreSQL before it is sent (and counted: ``agora_channel_layer_gaps_total``, ADR
0021). So a client of a live socket sees every seq once and in order even when the channel layer
drops; after a reconnect it sends ``resume`` (a reconnect, not a drop: not counted).

Every write goes through an action that resolves the user again through the actor core, so a
membership revoked a second ago refuses the next frame; the per-user group closes the socket at
once (see ``realtime.revocation``). Close codes: 4401 not logged in, 4403 not (or no longer) a
member, 4404 no such room for this user (missing, another municipality's, a drill), 4408 idle.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from channels.utils import await_many_dispatch
from django.conf import settings

from agora.errors import DomainError
from agora.ids import parse_id
from agora.json_input import JsonTooDeep, loads_bounded
from agora.observability import metrics
from realtime.groups import crisis_group, user_group
from realtime.observed import ObservedSocket
from realtime.tenancy import in_municipality

logger = logging.getLogger("agora.realtime")

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_IDLE = 4408

# Frame-level error codes (the domain codes of tenants.crises.errors come on top).
NOT_JSON = "not_json"
TOO_DEEP = "json_too_deep"
BAD_FRAME = "bad_frame"
UNKNOWN_TYPE = "unknown_type"
TOO_LARGE = "too_large"
RATE_LIMITED = "rate_limited"
SERVER_ERROR = "server_error"


class TokenBucket:
    """``burst`` frames at once, then ``per_second``: a socket's (and so its user's) rate limit."""

    def __init__(self, burst: int, per_second: float) -> None:
        self.capacity = float(burst)
        self.tokens = float(burst)
        self.rate = float(per_second)
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


# --- database work, each inside the socket's tenant ------------------------------------------


def _user_frame(seat) -> dict[str, Any]:
    return {
        "user_id": seat.actor.user_id,
        "role": seat.actor.role,
        "convocation_id": seat.convocation.pk if seat.convocation else None,
    }


@in_municipality
def _open_room(tenant, user, crisis_id: int, channel_name: str) -> dict[str, Any]:
    from tenants.crises.actions import enter_room
    from tenants.crises.actions.room import room_seat
    from tenants.crises.queries import crisis_state

    seat = room_seat(user, crisis_id, writing=False)
    visit_id = enter_room(seat.crisis.pk, acting_user=user, channel_name=channel_name)
    seat.crisis.refresh_from_db()
    from tenants.crises.access import log_rollcall_read

    log_rollcall_read(user, seat.crisis)  # the snapshot names the convened allies
    return {"state": crisis_state(seat.crisis), "you": _user_frame(seat), "visit_id": visit_id}


@in_municipality
def _leave(tenant, visit_id: int, crisis_id: int) -> list[int]:
    from tenants.crises.actions import leave_room
    from tenants.crises.models import Crisis
    from tenants.crises.queries import present_user_ids

    leave_room(visit_id)
    crisis = Crisis.objects.filter(pk=crisis_id).first()
    return present_user_ids(crisis) if crisis else []


@in_municipality
def _events_after(tenant, user, crisis_id: int, after: int, upto: int | None) -> list[dict]:
    """Stored events after ``after`` (up to ``upto``), re-checking that the user may read them."""
    from tenants.crises.actions.room import room_seat
    from tenants.crises.log import events_after

    room_seat(user, crisis_id, writing=False)
    frames = []
    while True:
        page = events_after(crisis_id, after)
        if upto is not None:
            page = [f for f in page if f["seq"] <= upto]
        frames.extend(page)
        if len(page) < 500:
            return frames
        after = page[-1]["seq"]


@in_municipality
def _last_seq(tenant, crisis_id: int) -> int:
    from tenants.crises.models import Crisis

    return Crisis.objects.filter(pk=crisis_id).values_list("last_seq", flat=True).first() or 0


@in_municipality
def _post(tenant, user, crisis_id: int, frame: dict) -> dict[str, Any]:
    from tenants.crises.actions import do_post_entry
    from tenants.crises.log import event_frame

    posted = do_post_entry(
        crisis_id,
        client_msg_id=frame.get("client_msg_id"),
        body=frame.get("body"),
        kind=frame.get("kind") or "message",
        owner_id=frame.get("owner_id"),
        acting_user=user,
    )
    return {"seq": posted.event.seq, "created": posted.created, "event": event_frame(posted.event)}


@in_municipality
def _respond(tenant, user, crisis_id: int, frame: dict) -> dict[str, Any]:
    from tenants.crises.actions import do_respond
    from tenants.crises.models import Crisis

    convocation = do_respond(
        crisis_id, answer=frame.get("answer"), eta_minutes=frame.get("eta_minutes"), acting_user=user
    )
    seq = Crisis.objects.filter(pk=crisis_id).values_list("last_seq", flat=True).get()
    return {"convocation_id": convocation.pk, "seq": seq}


@in_municipality
def _summary(tenant, user, crisis_id: int, frame: dict) -> dict[str, Any]:
    from tenants.crises.actions import do_update_summary

    return {"seq": do_update_summary(crisis_id, text=frame.get("text"), acting_user=user).seq}


@in_municipality
def _contact(tenant, user, crisis_id: int, frame: dict) -> dict[str, Any]:
    from tenants.crises.actions import do_contact_ally
    from tenants.crises.models import Crisis

    convocation = do_contact_ally(crisis_id, frame.get("convocation_id"), acting_user=user)
    seq = Crisis.objects.filter(pk=crisis_id).values_list("last_seq", flat=True).get()
    return {"convocation_id": convocation.pk, "seq": seq}


WRITES = {"post": _post, "respond": _respond, "summary": _summary, "contact_ally": _contact}


class CrisisRoomConsumer(ObservedSocket, AsyncWebsocketConsumer):
    """One socket in one crisis room (see the module's docstring for the protocol)."""

    socket_kind = "crisis"

    async def __call__(self, scope, receive, send):
        """Channels' dispatch loop, with a channel-layer receive that survives the layer going away.

        Channels ends the consumer when the layer's receive raises (Redis stopped); here the socket
        stays open, retries with back-off, joins its groups again once the layer is back (a
        restarted Redis has forgotten them) and then catches up from the database.
        """
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.channel_name = await self.channel_layer.new_channel()
        self.channel_receive = self._layer_receive
        self.base_send = send
        with contextlib.suppress(StopConsumer):
            await await_many_dispatch([receive, self.channel_receive], self.dispatch)

    async def _layer_receive(self) -> dict:
        delay = 0.1
        broken = False
        while True:
            try:
                if broken:
                    for group in self.groups_joined:
                        await self.channel_layer.group_add(group, self.channel_name)
                    return {"type": "room.layer_restored"}
                return await self.channel_layer.receive(self.channel_name)
            except asyncio.CancelledError:
                raise
            except Exception:  # the layer's own errors (ConnectionError, OSError...)
                if not broken:
                    logger.warning("channel layer receive failed; retrying", exc_info=True)
                broken = True
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)

    # --- connection ------------------------------------------------------------------------

    async def connect(self) -> None:
        self.groups_joined: list[str] = []
        self.cursor = 0
        self.visit_id: int | None = None
        self.watchdog: asyncio.Task | None = None
        tenant = self.scope.get("tenant")
        user = self.scope.get("user")
        if tenant is None or user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.tenant = tenant
        self.schema = tenant.schema_name
        self.user = user
        self.crisis_id = parse_id(self.scope["url_route"]["kwargs"].get("crisis_id"))
        if self.crisis_id is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        try:
            opened = await _open_room(self.tenant, user, self.crisis_id, self.channel_name)
        except DomainError as error:
            # Not a member here at all: 4403; a room this user may not see (or none): 4404.
            await self.close(code=CLOSE_FORBIDDEN if error.code == "permission_denied" else CLOSE_NOT_FOUND)
            return
        self.visit_id = opened["visit_id"]
        for group in (crisis_group(self.schema, self.crisis_id), user_group(self.schema, user.pk)):
            try:
                await self.channel_layer.group_add(group, self.channel_name)
            except Exception:  # the layer is down: the room still opens, from the database
                logger.warning("group_add failed; the socket will catch up by sequence", exc_info=True)
            self.groups_joined.append(group)
        # Read after joining the groups: anything committed later arrives live (or fills the gap).
        state = opened["state"]
        self.cursor = await _last_seq(self.tenant, self.crisis_id)
        state["last_seq"] = self.cursor
        self.bucket = TokenBucket(settings.AGORA_ROOM_RATE_BURST, settings.AGORA_ROOM_RATE_PER_SECOND)
        self.last_heard = time.monotonic()
        await self.accept()
        await self._send(
            {
                "type": "hello",
                "crisis": self.crisis_id,
                "last_seq": self.cursor,
                "state": state,
                "you": opened["you"],
            }
        )
        await self._presence(True, state["present_user_ids"])
        self.watchdog = asyncio.ensure_future(self._watch_idle())

    async def disconnect(self, code: int) -> None:
        if self.watchdog is not None:
            self.watchdog.cancel()
        for group in getattr(self, "groups_joined", []):
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:
                logger.warning("group_discard failed", exc_info=True)
        if getattr(self, "visit_id", None):
            present = await _leave(self.tenant, self.visit_id, self.crisis_id)
            await self._presence(False, present)

    async def _watch_idle(self) -> None:
        """Close a socket that has sent nothing (not even a ping) for the idle timeout."""
        timeout = float(settings.AGORA_ROOM_IDLE_SECONDS)
        while True:
            await asyncio.sleep(max(timeout / 4, 0.05))
            if time.monotonic() - self.last_heard > timeout:
                await self.close(code=CLOSE_IDLE)
                return

    async def _presence(self, present: bool, present_ids: list[int]) -> None:
        message = {
            "type": "room.presence",
            "frame": {
                "type": "presence",
                "user_id": self.user.pk,
                "present": present,
                "present_user_ids": present_ids,
            },
        }
        try:
            await self.channel_layer.group_send(crisis_group(self.schema, self.crisis_id), message)
        except Exception:  # presence is a nudge; the state comes with every hello
            logger.warning("presence broadcast failed", exc_info=True)

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
        kind = frame["type"]
        ref = frame.get("client_msg_id") if isinstance(frame.get("client_msg_id"), str) else None
        try:
            if kind == "ping":
                await self._catch_up(None)
                return await self._send({"type": "pong", "last_seq": self.cursor})
            if kind == "resume":
                return await self._resume(frame)
            if kind in WRITES:
                return await self._write(kind, frame)
            return await self._error(UNKNOWN_TYPE, ref=kind[:40])
        except DomainError as error:
            await self._error(error.code, detail=error.message(), ref=ref)
            if error.status == 404:  # the room is no longer this user's (access revoked meanwhile)
                await self.close(code=CLOSE_FORBIDDEN)
        except Exception:  # a bug answers this frame with an error, never kills the room
            logger.exception("crisis room frame failed")
            return await self._error(SERVER_ERROR, ref=ref)

    async def _resume(self, frame: dict) -> None:
        after = frame.get("after")
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            return await self._error(BAD_FRAME, ref="after")
        frames = await _events_after(self.tenant, self.user, self.crisis_id, after, None)
        for event in frames:
            await self._send(event)
        last = frames[-1]["seq"] if frames else after
        self.cursor = max(self.cursor, last) if frames else max(self.cursor, after)
        await self._send({"type": "resumed", "after": after, "last_seq": self.cursor})

    async def _write(self, kind: str, frame: dict) -> None:
        result = await WRITES[kind](self.tenant, self.user, self.crisis_id, frame)
        if kind == "post":
            await self._send(
                {
                    "type": "ack",
                    "client_msg_id": frame.get("client_msg_id"),
                    "seq": result["seq"],
                    "created": result["created"],
                }
            )
            if result["seq"] == self.cursor + 1:
                # The writer's own event, as the room gets it: sent from the write itself instead
                # of read back (its broadcast, still queued behind this frame, is then a duplicate).
                await self._send(result["event"])
                self.cursor = result["seq"]
                return
        else:
            await self._send({"type": "done", "of": kind, **result})
        await self._catch_up(result["seq"])

    async def _catch_up(self, upto: int | None) -> None:
        """Send what the socket has not delivered yet up to ``upto`` (None: the newest), from the database."""
        if upto is not None and upto <= self.cursor:
            return
        frames = await _events_after(self.tenant, self.user, self.crisis_id, self.cursor, upto)
        for event in frames:
            if event["seq"] > self.cursor:
                await self._send(event)
                self.cursor = event["seq"]

    # --- messages from the channel layer -----------------------------------------------------

    async def crisis_event(self, message: dict) -> None:
        event = message["event"]
        seq = event["seq"]
        if seq <= self.cursor:
            return
        if seq > self.cursor + 1:
            # The layer lost something in between: counted (the one place a loss is certain: the
            # next broadcast is beyond the socket's cursor), then read back from PostgreSQL.
            metrics.layer_gap(self.schema, seq - self.cursor - 1)
            await self._catch_up(seq)
            return
        await self._send(event)
        self.cursor = seq

    async def room_presence(self, message: dict) -> None:
        await self._send(message["frame"])

    async def room_layer_restored(self, message: dict) -> None:
        await self._catch_up(None)

    async def agora_disconnect(self, message: dict) -> None:
        """Logout or revocation (``realtime.revocation``): close now, the client must not retry blindly."""
        await self.close(code=int(message.get("code") or CLOSE_FORBIDDEN))

    async def _send(self, frame: dict) -> None:
        await self.send(text_data=json.dumps(frame, separators=(",", ":")))

    async def _error(self, code: str, *, detail: str = "", ref: Any = None) -> None:
        frame: dict[str, Any] = {"type": "error", "code": code}
        if detail:
            frame["detail"] = detail
        if ref is not None:
            frame["ref"] = ref
        await self._send(frame)
