"""Raising and answering signals and publishing notices reach the right groups after commit only.

Staff's group gets every event; an ally's own group gets their signals' events and the notices
addressed to them, and nothing of another ally's.
"""

from __future__ import annotations

import asyncio
import copy
import uuid
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import channel_layers, get_channel_layer
from django.utils import timezone

from realtime.groups import ally_group, staff_group
from tenants.signals import actions, events
from tests.helpers import capture_events


@pytest.fixture(autouse=True)
def _own_channel_layer(settings):
    """A channel layer of this test alone: on a shared Redis, other test runs raise signals in
    their own gm_utrecht too, and their events would land in the same group names."""
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    config = layers["default"].setdefault("CONFIG", {})
    if "redis" in layers["default"]["BACKEND"].lower():
        config["prefix"] = f"test-{uuid.uuid4().hex[:12]}"
    settings.CHANNEL_LAYERS = layers
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


async def _receive(layer, channel: str, timeout: float = 1.0):
    try:
        return await asyncio.wait_for(layer.receive(channel), timeout)
    except TimeoutError:
        return None


def subscribe(schema: str, ally_id: int | None = None) -> str:
    """A new channel in ``schema``'s staff group, or in one ally's group (names carry the tenant)."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    group = staff_group(schema, "events") if ally_id is None else ally_group(schema, "events", ally_id)
    async_to_sync(layer.group_add)(group, channel)
    return channel


def receive_all(channels: dict[str, str], timeout: float = 1.0) -> dict[str, dict | None]:
    """What arrived on each channel (None: nothing within ``timeout``).

    One event loop for all of them: channels-redis binds a waiting receive to its loop, so a
    receive that timed out in one ``async_to_sync`` call would break the next call's receive.
    """
    layer = get_channel_layer()

    async def collect() -> dict[str, dict | None]:
        return {key: await _receive(layer, channel, timeout) for key, channel in channels.items()}

    return async_to_sync(collect)()


def test_raising_a_signal_sends_the_event_on_commit(town, amersfoort, django_capture_on_commit_callbacks):
    utrecht_channel = subscribe("gm_utrecht")
    amersfoort_channel = subscribe(amersfoort.schema_name)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        signal = actions.do_raise_signal(
            category="bullying",
            neighbourhood_id=town.neighbourhood.pk,
            description="Kinderen worden gepest op het schoolplein.",
            acting_user=town.ally_user,
        )
    assert len(callbacks) == 1
    layer = get_channel_layer()

    async def scenario() -> dict[str, dict | None]:
        # All receives in one event loop (channels-redis binds a waiting receive to its loop).
        before = await _receive(layer, utrecht_channel, 0.3)
        await sync_to_async(callbacks[0])()  # the commit
        after = await _receive(layer, utrecht_channel, 2.0)
        elsewhere = await _receive(layer, amersfoort_channel, 0.5)
        return {"before": before, "utrecht": after, "amersfoort": elsewhere}

    received = async_to_sync(scenario)()
    assert received["before"] is None  # not committed yet: nothing was sent
    message = received["utrecht"]
    assert message is not None
    assert message["type"] == "agora.event"
    assert message["event"] == "signal.raised"
    assert message["payload"] == {
        "signal_id": signal.pk,
        "category": "bullying",
        "neighbourhood_id": town.neighbourhood.pk,
        "status": "new",
        "raised_at": signal.raised_at.isoformat(),
    }
    assert received["amersfoort"] is None  # never another municipality's group
    # The payload carries no description or names: the socket only nudges a refetch.
    assert "description" not in message["payload"]


def test_answering_and_publishing_send_their_events(town, people, django_capture_on_commit_callbacks):
    with capture_events() as sent, django_capture_on_commit_callbacks(execute=True):
        signal = actions.do_raise_signal(
            category="pest",
            neighbourhood_id=town.neighbourhood.pk,
            description="Ratten.",
            acting_user=town.ally_user,
        )
    assert [event["event"] for event in sent] == ["signal.raised"]
    actions.do_assign_signal_owner(
        signal, owner_membership_id=people.membership(town.official).pk, acting_user=town.official
    )
    with capture_events() as sent, django_capture_on_commit_callbacks(execute=True):
        answer = actions.do_answer_signal(
            signal, body="Ongediertebestrijding komt.", acting_user=town.official
        )
    [message] = sent
    assert message["event"] == "signal.answered"
    assert message["payload"]["answer_id"] == answer.pk
    assert message["payload"]["first_answer"] is True
    assert message["groups"] == [
        staff_group("gm_utrecht", events.TOPIC),
        ally_group("gm_utrecht", events.TOPIC, town.ally.pk),
    ]

    with capture_events() as sent, django_capture_on_commit_callbacks(execute=True):
        notice = actions.do_publish_notice(
            title="Controle bedrijfsverzamelgebouw",
            description="Gemeente en politie controleren donderdag.",
            planned_start=timezone.now() + timedelta(days=2),
            recipient_ids=[town.ally.pk],
            acting_user=town.police,
        )
    [message] = sent
    assert message["event"] == "notice.published"
    assert message["payload"]["notice_id"] == notice.pk
    assert message["payload"]["recipient_count"] == 1


def test_each_event_reaches_only_its_allys_group(town, people, django_capture_on_commit_callbacks):
    channels = {
        "staff": subscribe("gm_utrecht"),
        "mine": subscribe("gm_utrecht", town.ally.pk),
        "other": subscribe("gm_utrecht", town.other_ally.pk),
    }
    with django_capture_on_commit_callbacks() as callbacks:
        signal = actions.do_raise_signal(
            category="pest",
            neighbourhood_id=town.neighbourhood.pk,
            description="Ratten.",
            acting_user=town.official,
            ally_id=town.ally.pk,  # raised on the ally's behalf: still the ally's event
        )
        actions.do_assign_signal_owner(
            signal, owner_membership_id=people.membership(town.official).pk, acting_user=town.official
        )
        actions.do_answer_signal(signal, body="Komt goed.", acting_user=town.official)
        actions.do_publish_notice(
            title="Controle",
            description="Vertrouwelijk.",
            planned_start=timezone.now() + timedelta(days=2),
            recipient_ids=[town.other_ally.pk],
            acting_user=town.police,
        )
    assert len(callbacks) == 3  # raised, answered, published (assigning sends nothing)
    layer = get_channel_layer()

    async def scenario() -> list[dict[str, str | None]]:
        # One event loop for every receive (channels-redis binds a waiting receive to its loop).
        seen = []
        for commit in callbacks:
            await sync_to_async(commit)()
            seen.append(
                {
                    key: ((await _receive(layer, channel, 1.0)) or {}).get("event")
                    for key, channel in channels.items()
                }
            )
        return seen

    assert async_to_sync(scenario)() == [
        {"staff": "signal.raised", "mine": "signal.raised", "other": None},
        {"staff": "signal.answered", "mine": "signal.answered", "other": None},
        {"staff": "notice.published", "mine": None, "other": "notice.published"},
    ]
