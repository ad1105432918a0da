"""Raising and answering signals and publishing notices reach the tenant's group after commit only."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

from realtime.groups import group_name
from tenants.signals import actions


async def _receive(layer, channel: str, timeout: float = 1.0):
    try:
        return await asyncio.wait_for(layer.receive(channel), timeout)
    except TimeoutError:
        return None


def listen(schema: str):
    """A channel subscribed to ``schema``'s events group, and a way to read it."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group_name(schema, "events"), channel)

    def receive(timeout: float = 1.0):
        return async_to_sync(_receive)(layer, channel, timeout)

    return receive


def test_raising_a_signal_sends_the_event_on_commit(town, amersfoort, django_capture_on_commit_callbacks):
    utrecht_events = listen("gm_utrecht")
    amersfoort_events = listen(amersfoort.schema_name)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        signal = actions.do_raise_signal(
            category="bullying",
            neighbourhood_id=town.neighbourhood.pk,
            description="Kinderen worden gepest op het schoolplein.",
            acting_user=town.ally_user,
        )
    # Not committed yet: nothing was sent.
    assert utrecht_events(timeout=0.2) is None
    assert len(callbacks) == 1
    callbacks[0]()  # the commit

    message = utrecht_events()
    assert message["type"] == "agora.event"
    assert message["event"] == "signal.raised"
    assert message["payload"] == {
        "signal_id": signal.pk,
        "category": "bullying",
        "neighbourhood_id": town.neighbourhood.pk,
        "status": "new",
        "raised_at": signal.raised_at.isoformat(),
    }
    # The payload carries no description or names: the socket only nudges a refetch.
    assert "description" not in message["payload"]
    assert amersfoort_events(timeout=0.2) is None  # never another municipality's group


def test_answering_and_publishing_send_their_events(town, people, django_capture_on_commit_callbacks):
    events = listen("gm_utrecht")
    with django_capture_on_commit_callbacks(execute=True):
        signal = actions.do_raise_signal(
            category="pest",
            neighbourhood_id=town.neighbourhood.pk,
            description="Ratten.",
            acting_user=town.ally_user,
        )
    assert events()["event"] == "signal.raised"
    actions.do_assign_signal_owner(
        signal, owner_membership_id=people.membership(town.official).pk, acting_user=town.official
    )
    with django_capture_on_commit_callbacks(execute=True):
        answer = actions.do_answer_signal(
            signal, body="Ongediertebestrijding komt.", acting_user=town.official
        )
    message = events()
    assert message["event"] == "signal.answered"
    assert message["payload"]["answer_id"] == answer.pk
    assert message["payload"]["first_answer"] is True

    with django_capture_on_commit_callbacks(execute=True):
        notice = actions.do_publish_notice(
            title="Controle bedrijfsverzamelgebouw",
            description="Gemeente en politie controleren donderdag.",
            planned_start=timezone.now() + timedelta(days=2),
            recipient_ids=[town.ally.pk],
            acting_user=town.police,
        )
    message = events()
    assert message["event"] == "notice.published"
    assert message["payload"]["notice_id"] == notice.pk
    assert message["payload"]["recipient_count"] == 1
