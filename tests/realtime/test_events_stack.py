"""The whole ASGI stack over WebSockets: host → tenant, session → user, membership → access.

These tests drive ``agora.asgi.application`` (origin check, tenant middleware, session auth,
routing, consumer), never the bare consumer, so a gap in any layer shows. They run once on the
in-memory channel layer and once on the real Redis (channels-redis), which under CI=true is
required.
"""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction
from django_tenants.utils import tenant_context

from agora.asgi import application
from agora.municipalities.models import Municipality
from agora.municipalities.provisioning import host_for
from realtime.events import send_event_on_commit
from tests.realtime.stack import communicator, connect_member, session_cookie

# Committed data (the consumer reads from its own thread and connection). The flush after each
# test needs TRUNCATE ... CASCADE, which Django only uses when available_apps is given: tenant
# schemas hold tables (django_admin_log, key figures' logins) that reference public tables.
pytestmark = pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))


def _send(municipality: Municipality, event: str, payload: dict) -> None:
    with tenant_context(municipality), transaction.atomic():
        send_event_on_commit("events", event, payload)


send_event = sync_to_async(_send)


async def test_member_receives_event_after_commit(channel_layer, towns, people) -> None:
    official = await sync_to_async(people.official)("utrecht")
    socket = await connect_member("utrecht", official)
    try:
        await send_event(towns["utrecht"], "signal.raised", {"id": 7, "layer": channel_layer})
        message = await socket.receive_json_from(timeout=5)
        assert message == {"event": "signal.raised", "payload": {"id": 7, "layer": channel_layer}}
    finally:
        await socket.disconnect()


async def test_nothing_is_sent_when_the_transaction_rolls_back(channel_layer, towns, people) -> None:
    police = await sync_to_async(people.police)("utrecht")
    socket = await connect_member("utrecht", police)

    def rolled_back() -> None:
        with tenant_context(towns["utrecht"]):
            try:
                with transaction.atomic():
                    send_event_on_commit("events", "signal.raised", {"id": 1})
                    raise RuntimeError("abort")
            except RuntimeError:
                pass

    try:
        await sync_to_async(rolled_back)()
        assert await socket.receive_nothing(timeout=0.5)
    finally:
        await socket.disconnect()


async def test_member_of_another_municipality_is_refused(channel_layer, towns, people) -> None:
    amersfoort_official = await sync_to_async(people.official)("amersfoort")
    cookie = await sync_to_async(session_cookie)(amersfoort_official, "amersfoort")
    socket = communicator("utrecht", cookie)  # a valid session, on the wrong host
    connected, code = await socket.connect(timeout=5)
    assert not connected
    assert code == 4403
    await socket.disconnect()


async def test_anonymous_is_refused(channel_layer, towns) -> None:
    socket = communicator("utrecht")
    connected, code = await socket.connect(timeout=5)
    assert not connected
    assert code == 4401
    await socket.disconnect()


async def test_forged_session_is_refused(channel_layer, towns) -> None:
    socket = communicator("utrecht", "not-a-session")
    connected, code = await socket.connect(timeout=5)
    assert not connected
    assert code == 4401
    await socket.disconnect()


async def test_unknown_host_is_refused(channel_layer, towns, people) -> None:
    official = await sync_to_async(people.official)("utrecht")
    cookie = await sync_to_async(session_cookie)(official, "utrecht")
    socket = WebsocketCommunicator(
        application,
        "/ws/events/",
        headers=[
            (b"host", b"elsewhere.localhost"),
            (b"origin", b"http://elsewhere.localhost"),
            (b"cookie", f"sessionid={cookie}".encode()),
        ],
    )
    connected, _ = await socket.connect(timeout=5)
    assert not connected
    await socket.disconnect()


async def test_foreign_origin_is_refused(channel_layer, towns, people) -> None:
    official = await sync_to_async(people.official)("utrecht")
    cookie = await sync_to_async(session_cookie)(official, "utrecht")
    socket = WebsocketCommunicator(
        application,
        "/ws/events/",
        headers=[
            (b"host", host_for("utrecht").encode()),
            (b"origin", b"https://evil.example.com"),
            (b"cookie", f"sessionid={cookie}".encode()),
        ],
    )
    connected, _ = await socket.connect(timeout=5)
    assert not connected
    await socket.disconnect()


async def test_amersfoort_event_never_reaches_utrecht(channel_layer, towns, people) -> None:
    utrecht_official = await sync_to_async(people.official)("utrecht")
    amersfoort_police = await sync_to_async(people.police)("amersfoort")
    utrecht_socket = await connect_member("utrecht", utrecht_official)
    amersfoort_socket = await connect_member("amersfoort", amersfoort_police)
    try:
        await send_event(towns["amersfoort"], "crisis.convened", {"room": 1})
        # Amersfoort's socket gets it, which proves the event was delivered at all...
        assert await amersfoort_socket.receive_json_from(timeout=5) == {
            "event": "crisis.convened",
            "payload": {"room": 1},
        }
        # ...and Utrecht's socket stays silent.
        assert await utrecht_socket.receive_nothing(timeout=0.5)
        # Utrecht's own event still arrives there, and only there.
        await send_event(towns["utrecht"], "crisis.convened", {"room": 2})
        assert (await utrecht_socket.receive_json_from(timeout=5))["payload"] == {"room": 2}
        assert await amersfoort_socket.receive_nothing(timeout=0.5)
    finally:
        await asyncio.gather(utrecht_socket.disconnect(), amersfoort_socket.disconnect())


async def test_a_deactivated_users_socket_is_refused(channel_layer, towns, people) -> None:
    """A session made before the account was deactivated opens no socket (the membership stays)."""
    official = await sync_to_async(people.official)("utrecht")
    cookie = await sync_to_async(session_cookie)(official, "utrecht")
    official.is_active = False
    await sync_to_async(official.save)(update_fields=["is_active"])
    socket = communicator("utrecht", cookie)
    connected, code = await socket.connect(timeout=5)
    assert not connected
    assert code in (4401, 4403)
    await socket.disconnect()
