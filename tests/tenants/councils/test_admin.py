"""The municipality's admin saves councils, meetings and rules through the actions."""

from __future__ import annotations

import pytest
from django.db import connection

from agora.audit.models import AuditEvent
from tenants.councils.models import Acknowledgement, Council, CouncilRules, Meeting

pytestmark = pytest.mark.django_db


def _council_form(staff, allies, **extra) -> dict:
    return {
        "name": "Overleg via admin",
        "covers_whole_municipality": "on",
        "municipal_lead": staff.m_official.pk,
        "police_lead": staff.m_police.pk,
        "started_on": "2026-06-01",
        "allies": [kf.pk for kf in allies],
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
        **extra,
    }


def test_admin_creates_a_council_through_the_action(web, staff, ally_factory, in_utrecht):
    allies = [ally_factory() for _ in range(4)]
    response = web(staff.official).post("/admin/councils/council/add/", _council_form(staff, allies))
    assert response.status_code == 302, response.content.decode()[:3000]
    connection.set_tenant(in_utrecht)
    council = Council.objects.get()
    assert council.members.count() == 4
    assert (
        AuditEvent.objects.filter(action="councils.council_created", object_id=str(council.pk)).count() == 1
    )


def test_admin_shows_a_broken_rule_as_a_form_error(web, staff, ally_factory, in_utrecht):
    CouncilRules.objects.update_or_create(
        singleton=True, defaults={"max_allies": 2, "recommended_start_min": 1, "recommended_start_max": 2}
    )
    allies = [ally_factory() for _ in range(3)]
    response = web(staff.official).post("/admin/councils/council/add/", _council_form(staff, allies))
    assert response.status_code == 200
    assert (
        "at most 2 allies" in response.content.decode()
        or "hoogstens 2 bondgenoten" in response.content.decode()
    )
    connection.set_tenant(in_utrecht)
    assert not Council.objects.exists()
    assert not AuditEvent.objects.filter(action="councils.council_created").exists()


def test_admin_needs_the_administrator_acknowledgement(web, people, staff, in_utrecht):
    mayor = people.official("utrecht", "mayor", title="burgemeester")
    form = _council_form(staff, [], municipal_lead=people.membership(mayor).pk)
    response = web(staff.official).post("/admin/councils/council/add/", form)
    assert response.status_code == 200
    connection.set_tenant(in_utrecht)
    assert not Council.objects.exists()
    form["acknowledge_administrator"] = "on"
    response = web(staff.official).post("/admin/councils/council/add/", form)
    assert response.status_code == 302
    connection.set_tenant(in_utrecht)
    assert Acknowledgement.objects.get().acknowledged_by == staff.official


def test_admin_meeting_needs_a_meal(web, staff, make_council, in_utrecht):
    council = make_council()
    form = {
        "council": council.pk,
        "starts_at_0": "2026-12-10",
        "starts_at_1": "18:00",
        "place": "Buurthuis",
        "meal": "",
        "attendance-TOTAL_FORMS": "0",
        "attendance-INITIAL_FORMS": "0",
    }
    response = web(staff.official).post("/admin/councils/meeting/add/", form)
    assert response.status_code == 200
    connection.set_tenant(in_utrecht)
    assert not Meeting.objects.exists()
    form["meal"] = "Stamppot"
    response = web(staff.official).post("/admin/councils/meeting/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    connection.set_tenant(in_utrecht)
    assert Meeting.objects.get().meal == "Stamppot"


def test_allies_and_strangers_have_no_admin(web, people, staff):
    ally_user = people.ally("utrecht", "adm")
    for user in (ally_user, people.stranger()):
        response = web(user).get("/admin/councils/council/")
        assert response.status_code in (302, 403)
        assert "Overleg" not in response.content.decode()


def test_official_sees_the_members_and_attendance_inlines(web, staff, ally_factory, make_council, in_utrecht):
    """The inlines decide by membership, like the model admins (Django's permission tables are unused)."""
    import datetime as dt

    from django.utils import timezone

    from tenants.councils import actions

    council = make_council(allies=[ally_factory(first_name="Inline", last_name="Zichtbaar"), ally_factory()])
    meeting = actions.do_plan_meeting(
        council,
        starts_at=timezone.now() - dt.timedelta(days=1),
        place="x",
        meal="Soep",
        acting_user=staff.official,
    )
    seat = council.members.order_by("pk").first()
    actions.do_record_attendance(meeting, members={seat.pk: True}, acting_user=staff.official)
    client = web(staff.official2)
    page = client.get(f"/admin/councils/council/{council.pk}/change/").content.decode()
    assert "Inline Zichtbaar" in page
    assert 'name="members-TOTAL_FORMS"' in page
    page = client.get(f"/admin/councils/meeting/{meeting.pk}/change/").content.decode()
    assert 'name="attendance-TOTAL_FORMS"' in page and "attendance-0" in page


def test_fields_no_action_changes_are_read_only(web, staff, ally_factory, make_council, in_utrecht):
    """The start date of a council and the council of a meeting: shown, never silently dropped."""
    import datetime as dt

    from django.utils import timezone

    from tenants.councils import actions

    council = make_council(allies=1)
    other = make_council(allies=1)
    meeting = actions.do_plan_meeting(
        council,
        starts_at=timezone.now() + dt.timedelta(days=5),
        place="x",
        meal="Soep",
        acting_user=staff.official,
    )
    client = web(staff.official)
    page = client.get(f"/admin/councils/council/{council.pk}/change/").content.decode()
    assert 'name="started_on"' not in page
    assert council.started_on.strftime("%Y") in page
    page = client.get(f"/admin/councils/meeting/{meeting.pk}/change/").content.decode()
    assert '<select name="council"' not in page
    local = timezone.localtime(meeting.starts_at)
    response = client.post(
        f"/admin/councils/meeting/{meeting.pk}/change/",
        {
            "council": other.pk,
            "starts_at_0": local.strftime("%Y-%m-%d"),
            "starts_at_1": local.strftime("%H:%M:%S"),
            "place": "Elders",
            "meal": "Soep",
            "attendance-TOTAL_FORMS": "0",
            "attendance-INITIAL_FORMS": "0",
            # The read-only history inline, as the page renders it: one row (the planning).
            "status_changes-TOTAL_FORMS": "1",
            "status_changes-INITIAL_FORMS": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    connection.set_tenant(in_utrecht)
    meeting.refresh_from_db()
    assert (meeting.council_id, meeting.place) == (council.pk, "Elders")
    # The council form saves name and scope through the actions; the start date is untouched.
    form = _council_form(staff, [], name="Nieuwe naam", started_on="2020-01-01")
    form["members-TOTAL_FORMS"], form["members-INITIAL_FORMS"] = "1", "1"
    form["members-0-id"] = str(council.members.get().pk)
    form["members-0-council"] = str(council.pk)
    response = client.post(f"/admin/councils/council/{council.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    connection.set_tenant(in_utrecht)
    council.refresh_from_db()
    assert council.name == "Nieuwe naam"
    assert council.started_on != dt.date(2020, 1, 1)


def test_council_change_view_logs_a_read_of_every_person_it_shows(
    web, staff, ally_factory, make_council, in_utrecht
):
    """Leads and deputies (accounts.User) and every seat, the former one too (the inline shows it).

    Exactly those, once each: issue 8 found that removing this logging passed the whole suite.
    """
    from collections import Counter

    from agora.audit.models import PersonRecordRead
    from tenants.councils import actions

    stays, leaves = ally_factory(), ally_factory()
    council = make_council(allies=[stays, leaves])
    actions.do_remove_council_member(council, leaves.pk, acting_user=staff.official)
    viewer = staff.police2
    assert not PersonRecordRead.objects.filter(actor=viewer).exists()
    response = web(viewer).get(f"/admin/councils/council/{council.pk}/change/")
    assert response.status_code == 200
    connection.set_tenant(in_utrecht)
    reads = Counter(
        (row.record_type, row.record_id, row.purpose) for row in PersonRecordRead.objects.filter(actor=viewer)
    )
    purpose = f"council {council.pk} (admin)"
    expected = Counter(
        [
            ("accounts.User", str(user.pk), purpose)
            for user in (staff.official, staff.official2, staff.police, viewer)
        ]
        + [("networkmap.KeyFigure", str(kf.pk), purpose) for kf in (stays, leaves)]
    )
    assert reads == expected
