"""The consumer asks the actor core who connects, once per socket, with ``user.is_active`` checked.

The full-stack tests (``test_events_stack.py``) cannot show the consumer's own check for a
deactivated account, because session authentication already drops such a user: here the
consumer gets the user in its scope directly, as a token or another middleware could hand it.
"""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from realtime.consumers import MunicipalityEventsConsumer

pytestmark = pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))


def _socket(tenant, user) -> WebsocketCommunicator:
    consumer = MunicipalityEventsConsumer.as_asgi()

    async def app(scope, receive, send):
        return await consumer({**scope, "tenant": tenant, "user": user}, receive, send)

    return WebsocketCommunicator(app, "/ws/events/")


async def test_an_active_member_is_let_in_with_their_role(channel_layer, towns, people) -> None:
    official = await sync_to_async(people.official)("utrecht")
    socket = _socket(towns["utrecht"], official)
    connected, _ = await socket.connect(timeout=5)
    assert connected
    hello = await socket.receive_json_from(timeout=5)
    assert hello["payload"] == {"municipality": "utrecht", "role": "official"}
    await socket.disconnect()


async def test_a_deactivated_user_with_an_active_membership_is_refused(channel_layer, towns, people) -> None:
    official = await sync_to_async(people.official)("utrecht")
    official.is_active = False
    await sync_to_async(official.save)(update_fields=["is_active"])
    socket = _socket(towns["utrecht"], official)
    connected, code = await socket.connect(timeout=5)
    assert not connected
    assert code == 4403
    await socket.disconnect()


async def test_a_member_of_another_municipality_is_refused(channel_layer, towns, people) -> None:
    amersfoort_official = await sync_to_async(people.official)("amersfoort")
    socket = _socket(towns["utrecht"], amersfoort_official)
    connected, code = await socket.connect(timeout=5)
    assert not connected
    assert code == 4403
    await socket.disconnect()
