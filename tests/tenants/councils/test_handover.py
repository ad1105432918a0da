"""Handover: a seat passes to the deputy with the leaver's open work, in one transaction, recorded.

The method's "keep the network in the organisation": when a lead steps down or leaves, nothing
stays assigned to them (open signals, planned notices, follow-up contacts), the successor sees
what was open, and council health flags a seat nobody took over.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from agora.accounts.actions import do_end_membership
from agora.accounts.models import Membership, User
from agora.audit.models import AuditEvent
from tenants.councils import actions
from tenants.councils.health import council_health
from tenants.councils.models import Council, Handover
from tenants.networkmap.actions import do_record_contact
from tenants.networkmap.models import ContactMoment, KeyFigure, Neighbourhood
from tenants.signals.actions import (
    do_answer_signal,
    do_assign_signal_owner,
    do_close_signal,
    do_publish_notice,
    do_raise_signal,
)
from tenants.signals.models import Notice, Signal
from tests.helpers import assert_error, assert_raises_code
from tests.tenants.councils.conftest import Staff

pytestmark = pytest.mark.django_db


@dataclass
class Work:
    council: Council
    ally: KeyFigure
    open_signal: Signal
    closed_signal: Signal
    notice: Notice
    follow_up: ContactMoment


def _open_work(
    staff: Staff, council: Council, ally: KeyFigure, lead: User, lead_membership: Membership
) -> Work:
    wijk = Neighbourhood.objects.create(name=f"Wijk {council.pk}")
    signals = []
    for text in ("Zwerfvuil bij de school", "Overlast op het plein"):
        signal = do_raise_signal(
            category="other", neighbourhood_id=wijk.pk, description=text, ally_id=ally.pk, acting_user=lead
        )
        signals.append(
            do_assign_signal_owner(signal, owner_membership_id=lead_membership.pk, acting_user=staff.official)
        )
    do_answer_signal(signals[1], body="Opgelost", acting_user=lead)
    do_close_signal(signals[1], acting_user=lead)
    notice = do_publish_notice(
        title="Controle",
        description="Aangekondigde actie",
        planned_start=timezone.now() + dt.timedelta(days=3),
        council_id=council.pk,
        acting_user=lead,
    )
    follow_up = do_record_contact(
        ally,
        acting_user=lead,
        membership=lead_membership.pk,
        follow_up_on=timezone.localdate() + dt.timedelta(days=14),
    )
    return Work(council, ally, signals[0], signals[1], notice, follow_up)


@pytest.fixture
def work(staff, ally_factory, make_council, in_utrecht) -> Work:
    """The police lead (``staff.police``) holds an open and a closed signal, a notice, a follow-up."""
    ally = ally_factory()
    council = make_council(allies=[ally, ally_factory(), ally_factory(), ally_factory()])
    return _open_work(staff, council, ally, staff.police, staff.m_police)


def _refresh(*objs):
    for obj in objs:
        obj.refresh_from_db()


def test_stepping_down_passes_seat_and_open_work_to_the_deputy(staff, work, in_utrecht):
    handover = actions.do_hand_over_seat(
        work.council, "police", reason="andere functie", acting_user=staff.police
    )
    _refresh(work.council, work.open_signal, work.closed_signal, work.notice, work.follow_up)
    assert work.council.police_lead_id == staff.m_police2.pk
    assert work.council.police_deputy_id is None
    assert work.open_signal.owner_id == staff.m_police2.pk
    assert work.closed_signal.owner_id == staff.m_police.pk  # history: who owned a closed signal stays
    assert work.notice.issued_by_id == staff.police2.pk
    assert work.follow_up.follow_up_by_id == staff.m_police2.pk
    assert work.follow_up.membership_id == staff.m_police.pk  # who had that contact is not rewritten
    assert (handover.from_membership_id, handover.to_membership_id) == (staff.m_police.pk, staff.m_police2.pk)
    assert handover.summary == {
        "signals": {"count": 1, "ids": [work.open_signal.pk]},
        "notices": {"count": 1, "ids": [work.notice.pk]},
        "follow_ups": {"count": 1, "ids": [work.follow_up.pk]},
        "successor_has_mobile": True,
    }
    assert "andere functie" not in str(handover.summary)  # counts and ids only
    event = AuditEvent.objects.get(action="councils.seat_handed_over")
    assert event.detail["open"] == {"signals": 1, "notices": 1, "follow_ups": 1}
    # The municipal side is untouched.
    assert (work.council.municipal_lead_id, work.council.municipal_deputy_id) == (
        staff.m_official.pk,
        staff.m_official2.pk,
    )


def test_a_failing_step_rolls_the_whole_handover_back(staff, work, in_utrecht, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Handover.objects, "create", broken)
    with pytest.raises(RuntimeError):
        actions.do_hand_over_seat(work.council, "police", acting_user=staff.official)
    _refresh(work.council, work.open_signal, work.notice, work.follow_up)
    assert (work.council.police_lead_id, work.council.police_deputy_id) == (
        staff.m_police.pk,
        staff.m_police2.pk,
    )
    assert work.open_signal.owner_id == staff.m_police.pk
    assert work.notice.issued_by_id == staff.police.pk
    assert work.follow_up.follow_up_by_id == staff.m_police.pk
    assert not AuditEvent.objects.filter(action="councils.seat_handed_over").exists()


def test_a_lead_steps_down_only_to_a_deputy(staff, make_council, in_utrecht):
    council = make_council(police_deputy_id=None)
    with assert_raises_code("no_deputy_to_take_over", status=409):
        actions.do_hand_over_seat(council, "police", acting_user=staff.official)
    with assert_raises_code("handover_side_invalid"):
        actions.do_hand_over_seat(council, "mayor", acting_user=staff.official)
    council.refresh_from_db()
    assert council.police_lead_id == staff.m_police.pk


def test_ending_a_leads_membership_hands_over_every_seat(staff, work, people, in_utrecht):
    do_end_membership(staff.m_police.pk, acting_user=staff.official, reason="met pensioen")
    _refresh(work.council, work.open_signal, work.notice, work.follow_up)
    with schema_context("public"):
        assert not Membership.objects.get(pk=staff.m_police.pk).is_active
    connection.set_tenant(in_utrecht)
    assert (work.council.police_lead_id, work.council.police_deputy_id) == (staff.m_police2.pk, None)
    # Nothing open is left with the person who left.
    assert not Signal.objects.filter(owner_id=staff.m_police.pk).exclude(status="closed").exists()
    assert not Notice.objects.filter(issued_by=staff.police, planned_start__gte=timezone.now()).exists()
    assert not ContactMoment.objects.filter(follow_up_by_id=staff.m_police.pk).exists()
    handover = Handover.objects.get(council=work.council)
    assert (handover.side, handover.seat, handover.reason) == ("police", "lead", "met pensioen")
    assert AuditEvent.objects.get(action="accounts.membership.ended").detail["handovers"] == [handover.pk]
    # Ending it again changes nothing.
    do_end_membership(staff.m_police.pk, acting_user=staff.official)
    assert Handover.objects.count() == 1


def test_a_lead_who_leaves_without_deputy_leaves_a_flagged_gap(staff, ally_factory, make_council, in_utrecht):
    council = make_council(municipal_deputy_id=None)
    ally = council.members.first().key_figure
    work = _open_work(staff, council, ally, staff.official, staff.m_official)
    do_end_membership(staff.m_official.pk, acting_user=staff.official2)
    _refresh(council, work.open_signal, work.follow_up)
    assert council.municipal_lead_id is None
    # Unassigned, not left with someone who is gone: the signal queue shows it as ownerless.
    assert work.open_signal.owner_id is None
    assert work.follow_up.follow_up_by_id is None
    handover = Handover.objects.get(council=council)
    assert handover.to_membership_id is None and handover.summary["signals"]["count"] == 1
    health = council_health(council.pk)
    gaps = health["councils"][0]["gaps"]
    assert {"code": "lead_seat_empty", "side": "municipal"} in gaps
    assert {"code": "deputy_seat_empty", "side": "municipal"} in gaps
    assert health["gaps"]["lead_seat_empty"] == 1 and health["councils_with_gaps"] == 1


def test_a_deputy_who_leaves_hands_their_work_to_the_lead(staff, ally_factory, make_council, in_utrecht):
    council = make_council()
    ally = council.members.first().key_figure
    work = _open_work(staff, council, ally, staff.police2, staff.m_police2)
    do_end_membership(staff.m_police2.pk, acting_user=staff.official)
    _refresh(council, work.open_signal)
    assert (council.police_lead_id, council.police_deputy_id) == (staff.m_police.pk, None)
    assert work.open_signal.owner_id == staff.m_police.pk
    assert Handover.objects.get(council=council).seat == "deputy"
    assert {"code": "deputy_seat_empty", "side": "police"} in council_health(council.pk)["councils"][0][
        "gaps"
    ]


def test_who_may_end_a_membership(staff, people, in_utrecht):
    for user in (staff.police, people.ally("utrecht", "end"), people.stranger()):
        with assert_raises_code("permission_denied", status=403):
            do_end_membership(staff.m_official2.pk, acting_user=user)
    foreign = people.membership(people.police("amersfoort"), "amersfoort")
    with assert_raises_code("not_found", status=404):
        do_end_membership(foreign.pk, acting_user=staff.official)
    with schema_context("public"):
        assert Membership.objects.get(pk=staff.m_official2.pk).is_active


def test_handover_api_for_staff_only(api, people, staff, work, in_utrecht):
    url = f"/api/v1/councils/{work.council.pk}/"
    ally = people.ally("utrecht", "h")
    KeyFigure.objects.filter(pk=work.ally.pk).update(user=ally)
    assert_error(
        api(ally).post(url + "hand-over/", {"side": "police"}, format="json"), "permission_denied", 403
    )
    assert_error(api(ally).get(url + "handovers/"), "permission_denied", 403)
    response = api(staff.police).post(
        url + "hand-over/", {"side": "police", "reason": "verhuisd"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["to_membership"]["membership"] == staff.m_police2.pk
    rows = api(staff.police2).get(url + "handovers/").json()
    assert [row["summary"]["signals"]["ids"] for row in rows] == [[work.open_signal.pk]]
    assert rows[0]["from_membership"]["name"] == staff.police.display_name
    again = api(staff.police2).post(url + "hand-over/", {"side": "police"}, format="json")
    assert_error(again, "no_deputy_to_take_over", 409)
    assert_error(
        api(staff.official).post(url + "hand-over/", {"side": "x"}, format="json"), "validation_failed"
    )


def test_a_follow_up_is_recorded_with_the_contact_over_the_api(api, staff, ally_factory, in_utrecht):
    ally = ally_factory()
    url = f"/api/v1/key-figures/{ally.pk}/contacts/"
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    response = api(staff.police).post(url, {"kind": "phone", "follow_up_on": due}, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["follow_up_on"], response.json()["follow_up_by"]) == (due, staff.m_police.pk)
    early = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert_error(
        api(staff.police).post(url, {"follow_up_on": early}, format="json"), "follow_up_before_contact"
    )
