"""``/ws/national/`` over a real daphne process with the ``websockets`` client, through Redis.

The test process declares crises and revokes grants (as the web process of a municipality and
the operator's admin would); daphne, on the same Redis (a ``redis-server`` of the test's own on
a free port), streams them to the analyst's socket on the public host.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from django.conf import settings

from agora.national.actions import do_revoke_national_grant
from tests.realtime import national_cast as cast

websockets = pytest.importorskip("websockets")

pytestmark = [
    pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS)),
    pytest.mark.slow,
]


@pytest.fixture
def land(towns, people):
    built = {slug: cast.build_town(people, town) for slug, town in towns.items()}
    yield built
    cast.remove(list(built.values()))


async def test_daphne_streams_granted_crises_and_closes_on_revocation(processes, land, settings) -> None:
    utrecht, amersfoort = land["utrecht"], land["amersfoort"]
    redis_port, _ = await sync_to_async(processes.redis)()
    url = f"redis://127.0.0.1:{redis_port}/0"
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # The daphne process inherits the run's prefix (agora.settings): send on the same one.
            "CONFIG": {"hosts": [url], "prefix": settings.CHANNEL_PREFIX},
        }
    }
    channel_layers.backends.clear()
    port = await sync_to_async(processes.daphne)(url)
    operator = await sync_to_async(cast.operator)()
    user = await sync_to_async(cast.analyst)()
    granted = await sync_to_async(cast.grant)(user, operator, district=utrecht.district)
    session = await sync_to_async(cast.public_cookie)(user)
    host = f"{settings.AGORA_BASE_DOMAIN}:{port}"
    try:
        async with websockets.connect(
            f"ws://{host}/ws/national/",
            host="127.0.0.1",
            port=port,
            origin=f"http://{host}",
            additional_headers={"Cookie": f"sessionid={session}"},
            open_timeout=20,
        ) as ws:
            hello = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert [d["id"] for d in hello["districts"]] == [utrecht.district.pk]
            crisis_id = await sync_to_async(cast.declare)(utrecht)
            await sync_to_async(cast.declare)(amersfoort)
            frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert (frame["type"], frame["change"], frame["crisis"]["id"]) == (
                "crisis",
                "declared",
                crisis_id,
            )
            assert frame["district_id"] == utrecht.district.pk and "title" not in frame["crisis"]
            await sync_to_async(cast.close)(utrecht, crisis_id)
            frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert (frame["change"], frame["crisis"]["id"]) == ("closed", crisis_id)  # not Amersfoort's
            await sync_to_async(do_revoke_national_grant)(granted.pk, acting_user=operator)
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 10)
            assert closed.value.rcvd.code == 4403
        # Refused at the handshake now, and from a municipality's Origin always.
        with pytest.raises(websockets.InvalidStatus):
            async with websockets.connect(
                f"ws://{host}/ws/national/",
                host="127.0.0.1",
                port=port,
                origin=f"http://utrecht.{host}",
                additional_headers={"Cookie": f"sessionid={session}"},
                open_timeout=20,
            ):
                pass
    finally:
        channel_layers.backends.clear()
