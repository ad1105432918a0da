"""The sockets in the logs and the metrics: their log context, open sockets per tenant and kind, and
the crisis room's count of what the channel layer lost (a broadcast beyond the socket's next seq)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django_tenants.utils import tenant_context
from prometheus_client import REGISTRY

from agora.municipalities.models import Municipality
from realtime.groups import crisis_group
from tests.realtime.stack import connect_member
from tests.realtime.test_crisis_stack import join, next_frame

pytestmark = pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def open_sockets(kind: str, tenant: str = "gm_utrecht") -> float:
    return sample("agora_websocket_open_sockets", tenant=tenant, kind=kind)


async def test_the_open_socket_gauge_follows_connect_and_disconnect(channel_layer, towns, people) -> None:
    official = await sync_to_async(people.official)("utrecht")
    before = open_sockets("events")
    first = await connect_member("utrecht", official)
    second = await connect_member("utrecht", official)
    try:
        assert open_sockets("events") == before + 2
        assert open_sockets("events", "gm_amersfoort") == sample(
            "agora_websocket_open_sockets", tenant="gm_amersfoort", kind="events"
        )
    finally:
        await first.disconnect()
    await asyncio.sleep(0.05)
    assert open_sockets("events") == before + 1
    await second.disconnect()
    await asyncio.sleep(0.05)
    assert open_sockets("events") == before


async def test_a_refused_socket_is_never_counted(channel_layer, towns, people) -> None:
    from tests.realtime.stack import communicator

    before = open_sockets("events")
    socket = communicator("utrecht", None)  # no session: refused (4401) before accept
    connected, code = await socket.connect(timeout=5)
    assert not connected and code == 4401
    assert open_sockets("events") == before


async def test_a_crisis_room_socket_counts_as_crisis(channel_layer, cast) -> None:
    before = open_sockets("crisis")
    socket, _ = await join(cast.official, cast.crisis_id)
    try:
        assert open_sockets("crisis") == before + 1
    finally:
        await socket.disconnect()
    await asyncio.sleep(0.05)
    assert open_sockets("crisis") == before


async def test_a_gap_in_the_broadcasts_is_counted_and_read_back(channel_layer, cast, monkeypatch) -> None:
    """Three events committed, only the third broadcast: one gap, two events lost, all three delivered."""
    socket, hello = await join(cast.ally_users[0], cast.crisis_id)
    held: list[dict] = []
    monkeypatch.setattr(
        "tenants.crises.log.send_to_groups_on_commit", lambda groups, message: held.append(message)
    )
    gaps = sample("agora_channel_layer_gaps_total", tenant="gm_utrecht")
    lost = sample("agora_channel_layer_gap_events_total", tenant="gm_utrecht")
    try:

        def post_three() -> None:
            from tenants.crises.actions import do_post_entry

            with tenant_context(Municipality.objects.get(slug="utrecht")):
                for n in range(3):
                    do_post_entry(
                        cast.crisis_id, client_msg_id=uuid.uuid4(), body=f"g{n}", acting_user=cast.official
                    )

        await sync_to_async(post_three)()
        await get_channel_layer().group_send(crisis_group("gm_utrecht", cast.crisis_id), held[-1])
        seqs = [(await next_frame(socket))["seq"] for _ in range(3)]
        start = hello["last_seq"]
        assert seqs == [start + 1, start + 2, start + 3]
        assert sample("agora_channel_layer_gaps_total", tenant="gm_utrecht") == gaps + 1
        assert sample("agora_channel_layer_gap_events_total", tenant="gm_utrecht") == lost + 2
    finally:
        await socket.disconnect()


async def test_a_socket_logs_with_its_request_id_tenant_and_user_id(
    channel_layer, towns, people, monkeypatch
):
    """What a consumer logs carries the same context as a request: read inside the consumer's task."""
    from agora.observability import context
    from realtime import observed
    from tests.realtime.stack import communicator, session_cookie

    seen: list[dict] = []
    opened = observed.metrics.socket_opened

    def spy(tenant, kind):
        seen.append(context.snapshot())
        opened(tenant, kind)

    monkeypatch.setattr(observed.metrics, "socket_opened", spy)
    official = await sync_to_async(people.official)("utrecht")
    cookie = await sync_to_async(session_cookie)(official, "utrecht")
    socket = communicator("utrecht", cookie)
    socket.scope["headers"].append((b"x-request-id", b"ws-abc-1"))
    connected, _ = await socket.connect(timeout=5)
    assert connected
    await socket.disconnect()
    assert seen == [
        {"request_id": "ws-abc-1", "tenant": "gm_utrecht", "user_id": official.pk, "route": "ws:events"}
    ]
    assert context.request_id.get() is None  # the test's own context is untouched
