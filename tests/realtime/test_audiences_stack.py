"""Who receives which live event, over the whole ASGI stack (memory and Redis layers).

Staff (officials, police officers) receive every signal and notice event of their municipality;
an ally receives the events of their own signals and the notices addressed to them, and never
another ally's. The events are sent by the real actions, after their transactions commit.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenants.networkmap.models import KeyFigure, Neighbourhood
from tenants.signals import actions
from tenants.signals.models import Notice, NoticeVisibility, Signal
from tests.realtime.stack import connect_member
from tests.tenants.signals.conftest import make_key_figure

pytestmark = pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))


@dataclass
class Cast:
    official: object
    police: object
    ally_user: object
    other_ally_user: object
    neighbourhood: Neighbourhood
    ally: KeyFigure
    other_ally: KeyFigure


@pytest.fixture
def cast(towns, people):
    """Two allies with logins and a neighbourhood in Utrecht, committed (the consumer reads them)."""
    utrecht = towns["utrecht"]
    with tenant_context(utrecht):
        neighbourhood = Neighbourhood.objects.create(name=f"Wijk {uuid.uuid4().hex[:8]}")
        ally_user = people.ally("utrecht", "a1")
        other_ally_user = people.ally("utrecht", "a2")
        built = Cast(
            official=people.official("utrecht"),
            police=people.police("utrecht"),
            ally_user=ally_user,
            other_ally_user=other_ally_user,
            neighbourhood=neighbourhood,
            ally=make_key_figure("Fatima", user=ally_user, neighbourhood=neighbourhood),
            other_ally=make_key_figure("Jan", user=other_ally_user, neighbourhood=neighbourhood),
        )
    yield built
    # The flush truncates what references public tables; the neighbourhood does not, so go now.
    with tenant_context(utrecht):
        Signal.objects.all().delete()
        Notice.objects.all().delete()
        KeyFigure.objects.filter(neighbourhood=neighbourhood).delete()
        neighbourhood.delete()


def _in_utrecht(work):
    def run():
        from agora.municipalities.models import Municipality

        with tenant_context(Municipality.objects.get(slug="utrecht")):
            return work()

    return sync_to_async(run)


async def test_an_ally_receives_own_events_and_never_another_allys(channel_layer, towns, cast) -> None:
    staff = await connect_member("utrecht", cast.official)
    police = await connect_member("utrecht", cast.police)
    mine = await connect_member("utrecht", cast.ally_user)
    other = await connect_member("utrecht", cast.other_ally_user)
    try:
        # The ally raises a signal: staff and the ally hear of it, the other ally does not.
        signal = await _in_utrecht(
            lambda: actions.do_raise_signal(
                category="pest",
                neighbourhood_id=cast.neighbourhood.pk,
                description="Ratten bij de containers.",
                acting_user=cast.ally_user,
            )
        )()
        for socket in (staff, police, mine):
            message = await socket.receive_json_from(timeout=5)
            assert (message["event"], message["payload"]["signal_id"]) == ("signal.raised", signal.pk)
        assert await other.receive_nothing(timeout=0.5)

        # Staff answer it: again the ally and staff only.
        def answer():
            membership_id = _membership_id(cast.police)
            actions.do_assign_signal_owner(
                signal, owner_membership_id=membership_id, acting_user=cast.official
            )
            return actions.do_answer_signal(signal, body="Bestrijder komt.", acting_user=cast.police)

        answered = await _in_utrecht(answer)()
        for socket in (staff, police, mine):
            message = await socket.receive_json_from(timeout=5)
            assert (message["event"], message["payload"]["answer_id"]) == ("signal.answered", answered.pk)
        assert await other.receive_nothing(timeout=0.5)

        # A confidential notice to the other ally only: it reaches them and staff, not the first ally.
        notice = await _in_utrecht(
            lambda: actions.do_publish_notice(
                title="Controle bedrijfsverzamelgebouw",
                description="Donderdag.",
                planned_start=timezone.now() + timedelta(days=2),
                visibility=NoticeVisibility.CONFIDENTIAL,
                recipient_ids=[cast.other_ally.pk],
                acting_user=cast.police,
            )
        )()
        for socket in (staff, police, other):
            message = await socket.receive_json_from(timeout=5)
            assert (message["event"], message["payload"]["notice_id"]) == ("notice.published", notice.pk)
        assert await mine.receive_nothing(timeout=0.5)
    finally:
        await asyncio.gather(*(s.disconnect() for s in (staff, police, mine, other)))


async def test_a_notice_to_both_allies_reaches_each_once(channel_layer, towns, cast) -> None:
    mine = await connect_member("utrecht", cast.ally_user)
    other = await connect_member("utrecht", cast.other_ally_user)
    try:
        notice = await _in_utrecht(
            lambda: actions.do_publish_notice(
                title="Verkeerscontrole",
                description="Zaterdag.",
                planned_start=timezone.now() + timedelta(days=1),
                recipient_ids=[cast.ally.pk, cast.other_ally.pk],
                acting_user=cast.official,
            )
        )()
        for socket in (mine, other):
            message = await socket.receive_json_from(timeout=5)
            assert (message["event"], message["payload"]["notice_id"]) == ("notice.published", notice.pk)
            assert await socket.receive_nothing(timeout=0.5)
    finally:
        await asyncio.gather(mine.disconnect(), other.disconnect())


def _membership_id(user) -> int:
    from agora.accounts.models import Membership

    return Membership.objects.get(user=user, municipality__slug="utrecht").pk
