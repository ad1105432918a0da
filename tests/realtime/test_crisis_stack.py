"""The crisis-room socket through the whole ASGI stack (origin, tenant, session, routing, consumer),
on the in-memory layer and on the real Redis: the protocol, resume, idempotent posts, a flood past
the channel's capacity, bad frames, the rate limit, the idle timeout, cross-tenant attempts, and
logout and revocation closing this socket and the /ws/events/ feed at once."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.test import Client
from django_tenants.utils import tenant_context

from agora.accounts.models import Membership
from agora.municipalities.models import Municipality
from realtime.groups import crisis_group
from tests.realtime.crisis_cast import cookie, post_frame, room_socket
from tests.realtime.stack import communicator

pytestmark = pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))


def _in_utrecht(work):
    def run():
        with tenant_context(Municipality.objects.get(slug="utrecht")):
            return work()

    return sync_to_async(run)


async def join(user, crisis_id, slug: str = "utrecht"):
    session = await sync_to_async(cookie)(user, slug)
    socket = room_socket(slug, crisis_id, session)
    connected, code = await socket.connect(timeout=5)
    assert connected, code
    hello = await socket.receive_json_from(timeout=5)
    assert hello["type"] == "hello" and hello["crisis"] == crisis_id
    return socket, hello


async def next_frame(socket, *, skip=("presence",), timeout: float = 5) -> dict:
    while True:
        frame = await socket.receive_json_from(timeout=timeout)
        if frame["type"] not in skip:
            return frame


async def frames_until(socket, stop, *, timeout: float = 5) -> list[dict]:
    got = []
    while True:
        frame = await next_frame(socket, timeout=timeout)
        got.append(frame)
        if stop(frame):
            return got


async def closed_with(socket, timeout: float = 5) -> int:
    while True:
        output = await socket.receive_output(timeout=timeout)
        if output["type"] == "websocket.close":
            return output.get("code")


def _post_many(cast, user, count: int, prefix: str = "m") -> list[int]:
    from tenants.crises.actions import do_post_entry

    return [
        do_post_entry(
            cast.crisis_id, client_msg_id=uuid.uuid4(), body=f"{prefix}{i}", acting_user=user
        ).event.seq
        for i in range(count)
    ]


async def test_hello_post_ack_and_delivery_to_the_room(channel_layer, cast) -> None:
    official, hello = await join(cast.official, cast.crisis_id)
    ally, _ = await join(cast.ally_users[0], cast.crisis_id)
    try:
        # Declared, convened, and what the calls did (rollcall.delivered, after the commit).
        assert hello["last_seq"] == 3 and hello["state"]["deadline_at"]
        assert hello["you"]["convocation_id"] is not None
        msg = str(uuid.uuid4())
        await ally.send_to(text_data=post_frame("Ik ben onderweg", msg))
        frames = await frames_until(ally, lambda f: f["type"] == "event")
        ack = next(f for f in frames if f["type"] == "ack")
        assert ack == {"type": "ack", "client_msg_id": msg, "seq": 4, "created": True}
        assert frames[-1]["seq"] == 4 and frames[-1]["data"]["body"] == "Ik ben onderweg"
        event = await next_frame(official)
        assert (event["type"], event["seq"], event["kind"]) == ("event", 4, "message.posted")
        await official.send_to(
            text_data=json.dumps({"type": "respond", "answer": "coming", "eta_minutes": 15})
        )
        done = await next_frame(official)
        assert done["type"] in ("done", "event")
    finally:
        await asyncio.gather(official.disconnect(), ally.disconnect())


async def test_resume_after_a_disconnect_gets_exactly_the_50_missed_events(channel_layer, cast) -> None:
    socket, hello = await join(cast.ally_users[0], cast.crisis_id)
    seen = hello["last_seq"]
    await socket.disconnect()
    missed = await _in_utrecht(lambda: _post_many(cast, cast.police, 50))()
    socket, hello = await join(cast.ally_users[0], cast.crisis_id)
    try:
        assert hello["last_seq"] == seen + 50
        await socket.send_to(text_data=json.dumps({"type": "resume", "after": seen}))
        frames = await frames_until(socket, lambda f: f["type"] == "resumed")
        events = [f for f in frames if f["type"] == "event"]
        assert [e["seq"] for e in events] == missed == list(range(seen + 1, seen + 51))
        assert [e["data"]["body"] for e in events] == [f"m{i}" for i in range(50)]
        assert frames[-1] == {"type": "resumed", "after": seen, "last_seq": seen + 50}
        # Then live ones.
        (live,) = await _in_utrecht(lambda: _post_many(cast, cast.police, 1, "live"))()
        event = await next_frame(socket)
        assert (event["seq"], event["data"]["body"]) == (live, "live0")
    finally:
        await socket.disconnect()


async def test_a_duplicate_client_msg_id_over_socket_and_rest_is_one_post(channel_layer, cast) -> None:
    from rest_framework.test import APIClient

    socket, _ = await join(cast.police, cast.crisis_id)
    try:
        msg = str(uuid.uuid4())
        await socket.send_to(text_data=post_frame("Eén keer", msg))
        acks = []
        for _ in range(2):
            frames = await frames_until(socket, lambda f: f["type"] == "ack")
            acks.append(frames[-1])
            await socket.send_to(text_data=post_frame("Eén keer", msg))
        frames = await frames_until(socket, lambda f: f["type"] == "ack")
        acks.append(frames[-1])
        assert [a["created"] for a in acks] == [True, False, False]
        assert len({a["seq"] for a in acks}) == 1

        def over_rest():
            client = APIClient(HTTP_HOST="utrecht.localhost")
            client.force_login(cast.police)
            return client.post(
                f"/api/v1/crises/{cast.crisis_id}/messages/",
                {"client_msg_id": msg, "body": "Eén keer"},
                format="json",
            )

        response = await sync_to_async(over_rest)()
        assert response.status_code == 200 and response.json()["seq"] == acks[0]["seq"]
        count = await _in_utrecht(
            lambda: (
                __import__("tenants.crises.models", fromlist=["CrisisEvent"])
                .CrisisEvent.objects.filter(client_msg_id=msg)
                .count()
            )
        )()
        assert count == 1
    finally:
        await socket.disconnect()


async def test_a_flood_past_the_channel_capacity_is_recovered_by_resume(
    channel_layer, cast, settings, monkeypatch
) -> None:
    """The layer drops what does not fit (capacity 10); the client resumes and has every event once."""
    from channels.layers import channel_layers

    config = settings.CHANNEL_LAYERS["default"]
    settings.CHANNEL_LAYERS = {"default": {**config, "CONFIG": {**config.get("CONFIG", {}), "capacity": 10}}}
    channel_layers.backends.clear()
    socket, hello = await join(cast.ally_users[1], cast.crisis_id)
    held: list[dict] = []
    monkeypatch.setattr(
        "tenants.crises.log.send_to_groups_on_commit", lambda groups, message: held.append(message)
    )
    try:
        start = hello["last_seq"]
        await _in_utrecht(lambda: _post_many(cast, cast.official, 200, "f"))()
        layer = get_channel_layer()
        group = crisis_group("gm_utrecht", cast.crisis_id)
        for message in held:  # the burst, as the on-commit sends would have made it
            await layer.group_send(group, message)
        delivered = []
        while not await socket.receive_nothing(timeout=0.5):
            frame = await socket.receive_json_from(timeout=1)
            if frame["type"] == "event":
                delivered.append(frame["seq"])
        if channel_layer == "memory":
            assert len(delivered) < 200, len(delivered)  # the layer really dropped
        assert delivered == sorted(set(delivered))  # never out of order, never twice
        last = delivered[-1] if delivered else start
        await socket.send_to(text_data=json.dumps({"type": "resume", "after": last}))
        frames = await frames_until(socket, lambda f: f["type"] == "resumed")
        resumed = [f["seq"] for f in frames if f["type"] == "event"]
        assert delivered + resumed == list(range(start + 1, start + 201))
    finally:
        await socket.disconnect()


async def test_bad_frames_get_errors_and_the_socket_stays_usable(channel_layer, cast) -> None:
    socket, _ = await join(cast.official, cast.crisis_id)
    try:
        cases = [
            ("{not json", "not_json"),
            # 20,000 levels in 40 KB (under the frame limit): a RecursionError in json once.
            ("[" * 20_000 + "]" * 20_000, "json_too_deep"),
            ("[1, 2]", "bad_frame"),
            (json.dumps({"type": 7}), "bad_frame"),
            (json.dumps({"type": "dance"}), "unknown_type"),
            (json.dumps({"type": "resume", "after": "x"}), "bad_frame"),
            (json.dumps({"type": "post", "body": "zonder id"}), "crisis_client_msg_id_invalid"),
            (
                json.dumps({"type": "post", "client_msg_id": str(uuid.uuid4()), "body": ""}),
                "crisis_body_invalid",
            ),
            (json.dumps({"type": "respond", "answer": "misschien"}), "crisis_answer_invalid"),
            (
                json.dumps({"type": "post", "client_msg_id": str(uuid.uuid4()), "body": "x" * (65 * 1024)}),
                "too_large",
            ),
        ]
        for text, code in cases:
            await socket.send_to(text_data=text)
            frame = await next_frame(socket)
            assert (frame["type"], frame["code"]) == ("error", code), text[:60]
        await socket.send_to(bytes_data=b"\x00\x01")
        assert (await next_frame(socket))["code"] == "bad_frame"
        await socket.send_to(text_data=json.dumps({"type": "ping"}))
        assert (await next_frame(socket))["type"] == "pong"
        await socket.send_to(text_data=post_frame("nog steeds open"))
        assert (await frames_until(socket, lambda f: f["type"] == "ack"))[-1]["created"] is True
    finally:
        await socket.disconnect()


async def test_the_rate_limit_refuses_with_a_stable_code(channel_layer, cast, settings) -> None:
    settings.AGORA_ROOM_RATE_BURST = 5
    settings.AGORA_ROOM_RATE_PER_SECOND = 0.001
    socket, _ = await join(cast.official, cast.crisis_id)
    try:
        for _ in range(8):
            await socket.send_to(text_data=json.dumps({"type": "ping"}))
        frames = [await next_frame(socket) for _ in range(8)]
        assert [f["type"] for f in frames].count("pong") == 5
        assert [f.get("code") for f in frames if f["type"] == "error"] == ["rate_limited"] * 3
    finally:
        await socket.disconnect()


async def test_an_idle_socket_is_closed_and_a_pinging_one_is_not(channel_layer, cast, settings) -> None:
    settings.AGORA_ROOM_IDLE_SECONDS = 0.6
    idle, _ = await join(cast.official, cast.crisis_id)
    busy, _ = await join(cast.police, cast.crisis_id)
    try:
        for _ in range(6):
            await busy.send_to(text_data=json.dumps({"type": "ping"}))
            await asyncio.sleep(0.2)
        assert await closed_with(idle, timeout=3) == 4408
        await busy.send_to(text_data=json.dumps({"type": "ping"}))
        assert (await next_frame(busy))["type"] == "pong"
    finally:
        await asyncio.gather(idle.disconnect(), busy.disconnect())


async def test_cross_tenant_and_unconvened_joins_are_refused_whatever_the_id(
    channel_layer, cast, people
) -> None:
    amersfoort_official = await sync_to_async(people.official)("amersfoort")
    amersfoort_session = await sync_to_async(cookie)(amersfoort_official, "amersfoort")
    for crisis_id in [*range(1, cast.crisis_id + 3), "0", "-1", "abc", "١", "99999999999999999999"]:
        socket = room_socket("amersfoort", crisis_id, amersfoort_session)
        connected, code = await socket.connect(timeout=5)
        assert (connected, code) == (False, 4404), crisis_id
        await socket.disconnect()
    # A valid Amersfoort session on Utrecht's host: no member there.
    socket = room_socket("utrecht", cast.crisis_id, amersfoort_session)
    assert await socket.connect(timeout=5) == (False, 4403)
    await socket.disconnect()
    # A Utrecht ally who was not convened.
    outsider = await sync_to_async(people.ally)("utrecht", "outsider")
    socket = room_socket("utrecht", cast.crisis_id, await sync_to_async(cookie)(outsider))
    assert await socket.connect(timeout=5) == (False, 4404)
    await socket.disconnect()
    # Anonymous.
    socket = room_socket("utrecht", cast.crisis_id, None)
    assert await socket.connect(timeout=5) == (False, 4401)
    await socket.disconnect()


async def test_a_foreign_origin_is_refused(channel_layer, cast) -> None:
    session = await sync_to_async(cookie)(cast.official)
    for origin in ("http://amersfoort.localhost", "https://evil.example", "null"):
        socket = room_socket("utrecht", cast.crisis_id, session, origin=origin)
        connected, _ = await socket.connect(timeout=5)
        assert not connected, origin
        await socket.disconnect()


async def _both_sockets(user, crisis_id):
    session = await sync_to_async(cookie)(user)
    feed = communicator("utrecht", session)
    assert (await feed.connect(timeout=5))[0]
    assert (await feed.receive_json_from(timeout=5))["event"] == "hello"
    room = room_socket("utrecht", crisis_id, session)
    assert (await room.connect(timeout=5))[0]
    assert (await room.receive_json_from(timeout=5))["type"] == "hello"
    return session, feed, room


async def test_logout_closes_the_room_and_the_feed(channel_layer, cast) -> None:
    session, feed, room = await _both_sockets(cast.official, cast.crisis_id)

    def logout():
        client = Client(HTTP_HOST="utrecht.localhost")
        client.cookies["sessionid"] = session
        client.logout()

    await sync_to_async(logout)()
    assert await closed_with(feed) == 4401
    assert await closed_with(room) == 4401
    # And the session is gone: a new socket is refused.
    again = room_socket("utrecht", cast.crisis_id, session)
    assert await again.connect(timeout=5) == (False, 4401)
    await again.disconnect()


async def test_a_deactivated_membership_closes_both_sockets(channel_layer, cast) -> None:
    _, feed, room = await _both_sockets(cast.police, cast.crisis_id)

    def deactivate():
        membership = Membership.objects.get(user=cast.police, municipality__slug="utrecht")
        membership.is_active = False
        membership.save()

    await sync_to_async(deactivate)()
    assert await closed_with(feed) == 4403
    assert await closed_with(room) == 4403


async def test_a_deactivated_user_closes_both_sockets(channel_layer, cast) -> None:
    _, feed, room = await _both_sockets(cast.official2, cast.crisis_id)

    def deactivate():
        cast.official2.is_active = False
        cast.official2.save()

    await sync_to_async(deactivate)()
    assert await closed_with(feed) == 4403
    assert await closed_with(room) == 4403


async def test_an_ally_who_loses_ally_status_is_disconnected(channel_layer, cast) -> None:
    _, feed, room = await _both_sockets(cast.ally_users[0], cast.crisis_id)
    _, other_feed, other_room = await _both_sockets(cast.ally_users[1], cast.crisis_id)

    def revoke():
        from tenants.selection.actions import _set_is_ally

        _set_is_ally(cast.ally_ids[0], False)

    try:
        await _in_utrecht(revoke)()
        assert await closed_with(feed) == 4403
        assert await closed_with(room) == 4403
        # The other ally stays connected.
        await other_room.send_to(text_data=json.dumps({"type": "ping"}))
        assert (await next_frame(other_room))["type"] == "pong"
    finally:
        await asyncio.gather(other_feed.disconnect(), other_room.disconnect())


async def test_an_ally_whose_login_is_unlinked_is_disconnected(channel_layer, cast) -> None:
    _, feed, room = await _both_sockets(cast.ally_users[1], cast.crisis_id)

    def unlink():
        from tenants.networkmap.models import KeyFigure

        kf = KeyFigure.objects.get(pk=cast.ally_ids[1])
        kf.user = None
        kf.save()

    await _in_utrecht(unlink)()
    assert await closed_with(feed) == 4403
    assert await closed_with(room) == 4403


async def test_presence_reaches_the_room_coalesced_with_the_newest_list(channel_layer, cast, settings):
    """Joins within one interval reach a member as one presence frame with everyone in it, not one
    frame each (a thousand joins at 2 a.m. would be half a million frames)."""
    settings.AGORA_ROOM_PRESENCE_SECONDS = 0.4

    async def frames_until_quiet(socket, quiet: float) -> list[dict]:
        # receive_nothing waits without cancelling the socket (a receive timeout would).
        got = []
        while not await socket.receive_nothing(timeout=quiet):
            got.append(await socket.receive_json_from())
        return got

    official, _ = await join(cast.official, cast.crisis_id)
    await frames_until_quiet(official, 0.8)  # the official's own join, told and out of the way
    joined = [await join(user, cast.crisis_id) for user in (cast.police, *cast.ally_users)]
    try:
        presence = [f for f in await frames_until_quiet(official, 1.0) if f["type"] == "presence"]
        assert 1 <= len(presence) < len(joined), presence  # coalesced, never dropped
        everyone = {cast.official.pk, cast.police.pk, *(u.pk for u in cast.ally_users)}
        assert set(presence[-1]["present_user_ids"]) == everyone
        assert presence[-1]["present"] is True
    finally:
        await asyncio.gather(official.disconnect(), *(socket.disconnect() for socket, _ in joined))
