"""Every council action checks who acts itself, not only the API's ``CouncilAccess`` gate.

A socket consumer, a web form or the admin calls the actions directly: an ally, a user who is a
member of no municipality and an official of *another* municipality are refused by the action,
and nothing is written. Each refusal is paired with the same call by staff succeeding, so the
refusal is about the person and not about a broken setting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from agora.accounts.models import User
from agora.audit.models import AuditEvent
from tenants.councils import actions
from tenants.councils.models import AgendaItem, Council, Meeting
from tenants.networkmap.models import KeyFigure
from tests.helpers import assert_raises_code
from tests.tenants.councils.conftest import Staff, make_key_figure

pytestmark = pytest.mark.django_db


@dataclass
class World:
    staff: Staff
    council: Council
    seated: KeyFigure
    newcomer: KeyFigure
    meeting: Meeting  # planned, in the past, with an ally present: ready to be held
    open_item: AgendaItem
    pending_item: AgendaItem  # awaiting both leads' override
    ally: User  # a seated ally of this council
    outsider_ally: User  # an ally of Utrecht who sits on no council
    stranger: User  # a member of no municipality
    foreigner: User  # an official of Amersfoort


@pytest.fixture
def world(people, staff, make_council, in_utrecht) -> World:
    ally = people.ally("utrecht", "acts")
    outsider_ally = people.ally("utrecht", "outside")
    seated_ally = make_key_figure(user=ally)
    make_key_figure(user=outsider_ally)
    seated = make_key_figure()
    council = make_council(allies=[seated_ally, seated, make_key_figure(), make_key_figure()])
    meeting = actions.do_plan_meeting(
        council,
        starts_at=timezone.now() - dt.timedelta(days=2),
        place="Buurthuis",
        meal="Soep",
        acting_user=staff.official,
    )
    seat = council.members.get(key_figure=seated_ally)
    actions.do_record_attendance(meeting, members={seat.pk: True}, acting_user=staff.official)
    open_item = actions.do_propose_agenda_item(council, title="Buurtfeest", acting_user=staff.police)
    pending_item = actions.do_propose_agenda_item(
        council,
        title="Familie in het buitenland",
        is_international=True,
        request_override=True,
        override_reason="Speelt in de hele wijk",
        acting_user=staff.police,
    )
    foreigner = people.official("amersfoort", "acts")
    world = World(
        staff=staff,
        council=council,
        seated=seated,
        newcomer=make_key_figure(),
        meeting=meeting,
        open_item=open_item,
        pending_item=pending_item,
        ally=ally,
        outsider_ally=outsider_ally,
        stranger=people.stranger(),
        foreigner=foreigner,
    )
    connection.set_tenant(in_utrecht)
    return world


def _leads(w: World) -> dict[str, Any]:
    return {
        "municipal_lead_id": w.staff.m_official2.pk,
        "municipal_deputy_id": w.staff.m_official.pk,
        "police_lead_id": w.staff.m_police2.pk,
        "police_deputy_id": w.staff.m_police.pk,
    }


# Every write action of the app, called as ``run(world, acting_user)``.
STAFF_ACTIONS: dict[str, Callable[[World, User], Any]] = {
    "do_update_council_rules": lambda w, u: actions.do_update_council_rules({"max_size": 11}, acting_user=u),
    "do_create_council": lambda w, u: actions.do_create_council(name="Nieuw", acting_user=u, **_leads(w)),
    "do_update_council": lambda w, u: actions.do_update_council(w.council, name="Anders", acting_user=u),
    "do_set_council_leads": lambda w, u: actions.do_set_council_leads(w.council, acting_user=u, **_leads(w)),
    "do_add_council_members": lambda w, u: actions.do_add_council_members(
        w.council, [w.newcomer.pk], acting_user=u
    ),
    "do_remove_council_member": lambda w, u: actions.do_remove_council_member(
        w.council, w.seated.pk, acting_user=u
    ),
    "do_plan_meeting": lambda w, u: actions.do_plan_meeting(
        w.council,
        starts_at=timezone.now() + dt.timedelta(days=7),
        place="Moskee",
        meal="Mezze",
        acting_user=u,
    ),
    "do_update_meeting": lambda w, u: actions.do_update_meeting(w.meeting, {"place": "Kerk"}, acting_user=u),
    "do_record_attendance": lambda w, u: actions.do_record_attendance(
        w.meeting, members={w.council.members.get(key_figure=w.seated).pk: True}, acting_user=u
    ),
    "do_hold_meeting": lambda w, u: actions.do_hold_meeting(w.meeting, acting_user=u),
    "do_cancel_meeting": lambda w, u: actions.do_cancel_meeting(w.meeting, reason="Ziek", acting_user=u),
    "do_approve_agenda_override": lambda w, u: actions.do_approve_agenda_override(
        w.pending_item, acting_user=u
    ),
    "do_change_agenda_item_status": lambda w, u: actions.do_change_agenda_item_status(
        w.open_item, "discussed", acting_user=u
    ),
    "do_hand_over_seat": lambda w, u: actions.do_hand_over_seat(w.council, "police", acting_user=u),
}


def test_the_list_covers_every_write_action():
    """A new ``do_*`` action joins this file, or this test fails until someone decides."""
    every = {name for name in actions.__all__ if name.startswith("do_")}
    assert every == set(STAFF_ACTIONS) | {"do_propose_agenda_item"}


@pytest.mark.parametrize("who", ["ally", "stranger", "foreigner"])
@pytest.mark.parametrize("name", sorted(STAFF_ACTIONS))
def test_staff_action_called_directly_refuses_anyone_but_staff(world, name, who):
    before = AuditEvent.objects.count()
    with assert_raises_code("permission_denied", status=403):
        STAFF_ACTIONS[name](world, getattr(world, who))
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("name", sorted(STAFF_ACTIONS))
def test_staff_action_called_directly_by_staff_goes_through(world, name):
    before = AuditEvent.objects.count()
    STAFF_ACTIONS[name](world, world.staff.official)
    assert AuditEvent.objects.count() > before


def _propose(world: World, user: User) -> AgendaItem:
    return actions.do_propose_agenda_item(world.council, title="Voetbaltoernooi", acting_user=user)


@pytest.mark.parametrize("who", ["stranger", "foreigner"])
def test_proposing_called_directly_refuses_non_members(world, who):
    with assert_raises_code("permission_denied", status=403):
        _propose(world, getattr(world, who))
    assert not AgendaItem.objects.filter(title="Voetbaltoernooi").exists()


def test_proposing_called_directly_refuses_an_ally_of_another_council(world):
    """As in the API: a council the ally does not sit on is not found, not forbidden."""
    with assert_raises_code("not_found", status=404):
        _propose(world, world.outsider_ally)
    assert not AgendaItem.objects.filter(title="Voetbaltoernooi").exists()


def test_proposing_called_directly_by_a_seated_ally_goes_through(world):
    assert _propose(world, world.ally).proposed_by == world.ally


def test_only_the_proposer_among_allies_may_withdraw(world):
    mine = _propose(world, world.ally)
    with assert_raises_code("permission_denied", status=403):
        actions.do_change_agenda_item_status(world.open_item, "withdrawn", acting_user=world.ally)
    with assert_raises_code("permission_denied", status=403):
        actions.do_change_agenda_item_status(mine, "discussed", acting_user=world.ally)
    assert (
        actions.do_change_agenda_item_status(mine, "withdrawn", acting_user=world.ally).status == "withdrawn"
    )


def test_a_deactivated_account_is_refused_even_with_a_membership(world):
    """The actor core checks ``user.is_active``, not only the membership."""
    User.objects.filter(pk=world.staff.official2.pk).update(is_active=False)
    world.staff.official2.refresh_from_db()
    with assert_raises_code("permission_denied", status=403):
        actions.do_update_council(world.council, name="Anders", acting_user=world.staff.official2)
