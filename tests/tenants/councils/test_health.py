"""Council health over time: regularity, attendance, tenure, stale relationships, signals."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.utils import timezone

from tenants.councils import actions
from tenants.councils.health import council_health
from tenants.networkmap.models import KeyFigure
from tenants.signals.actions import do_raise_signal
from tests.helpers import assert_error
from tests.tenants.councils.conftest import hold_with_attendance

pytestmark = pytest.mark.django_db


def _meeting(council, staff, when: dt.datetime, *, hold: bool = True):
    meeting = actions.do_plan_meeting(
        council, starts_at=when, place="x", meal="Soep", acting_user=staff.official
    )
    return hold_with_attendance(meeting, staff.official) if hold else meeting


def test_health_of_one_council(staff, ally_factory, make_council, neighbourhood, in_utrecht):
    today = timezone.localdate()
    north, south = neighbourhood("Noord"), neighbourhood("Zuid")
    allies = [
        ally_factory(neighbourhood=north, last_contact_on=today - dt.timedelta(days=10)),
        ally_factory(neighbourhood=north, last_contact_on=today - dt.timedelta(days=400)),
        ally_factory(neighbourhood=north),  # never contacted
    ]
    started = today - dt.timedelta(days=120)
    council = make_council(
        allies=allies, started_on=started, covers_whole_municipality=False, neighbourhood_ids=[north.pk]
    )
    seats = list(council.members.order_by("pk"))
    first = _meeting(council, staff, timezone.now() - dt.timedelta(days=100), hold=False)
    actions.do_record_attendance(
        first,
        members={seats[0].pk: True, seats[1].pk: True, seats[2].pk: False},
        leads={staff.m_official.pk: True, staff.m_police2.pk: True},
        acting_user=staff.official,
    )
    actions.do_hold_meeting(first, acting_user=staff.official)
    second = _meeting(council, staff, timezone.now() - dt.timedelta(days=50), hold=False)
    actions.do_record_attendance(
        second, members={seats[0].pk: True}, leads={staff.m_official2.pk: True}, acting_user=staff.official
    )
    actions.do_hold_meeting(second, acting_user=staff.official)
    cancelled = _meeting(council, staff, timezone.now() - dt.timedelta(days=5), hold=False)
    actions.do_cancel_meeting(cancelled, acting_user=staff.official)
    actions.do_remove_council_member(
        council, seats[2].key_figure_id, left_on=today - dt.timedelta(days=20), acting_user=staff.official
    )
    # Signals: two in the council's neighbourhood (one answered), one outside it.
    raised = timezone.now() - dt.timedelta(days=30)
    for hood in (north, north, south):
        do_raise_signal(
            category="illegal_dumping",
            neighbourhood_id=hood.pk,
            description="Afval bij de container",
            ally_id=allies[0].pk,
            acting_user=staff.official,
            raised_at=raised,
        )

    health = council_health(council.pk)
    json.dumps(health)  # plain data, ready for the national view
    assert [c["id"] for c in health["councils"]] == [council.pk]
    report = health["councils"][0]

    assert report["schedule"]["held_meetings"] == 2
    per_year = {row["year"]: row for row in report["meetings_per_year"]}
    assert sum(row["held"] for row in per_year.values()) == 2
    assert sum(row["cancelled"] for row in per_year.values()) == 1
    assert sum(row["due"] for row in per_year.values()) in (2, 3)  # 121 days / 42, split over years

    first_row, second_row = report["attendance"]
    assert first_row["meeting_id"] == first.pk
    # 3 allies seated + 2 sides expected; 2 allies + both sides present.
    assert (first_row["expected"], first_row["present"]) == (5, 4)
    assert first_row["municipality_present"] and first_row["police_present"]
    assert first_row["rate"] == 0.8
    # Second meeting: 1 ally and only the municipal deputy (the police side missed it).
    assert (second_row["present"], second_row["police_present"]) == (2, False)
    assert report["average_attendance_rate"] == round((0.8 + 0.4) / 2, 3)

    tenure = {row["key_figure_id"]: row for row in report["tenure"]["members"]}
    assert tenure[allies[0].pk]["days"] == 120 and tenure[allies[0].pk]["active"]
    assert tenure[allies[2].pk]["days"] == 100 and not tenure[allies[2].pk]["active"]
    assert (report["tenure"]["active"], report["tenure"]["left"]) == (2, 1)

    stale = report["stale_relationships"]
    assert stale["months"] == 6
    assert {m["key_figure_id"] for m in stale["members"]} == {allies[1].pk}  # allies[2] has left

    assert report["signals"]["raised"] == 2
    assert set(report["signals"]) >= {"raised", "answered", "open", "overdue", "median_response_hours"}
    assert "Noord" not in json.dumps(report) and "Persoon" not in json.dumps(report)


def test_stale_months_is_a_setting(staff, ally_factory, make_council, in_utrecht):
    kf = ally_factory(last_contact_on=timezone.localdate() - dt.timedelta(days=70))
    council = make_council(allies=[kf])
    assert council_health(council.pk)["councils"][0]["stale_relationships"]["count"] == 0
    actions.do_update_council_rules({"stale_contact_months": 2}, acting_user=staff.official)
    assert council_health(council.pk)["councils"][0]["stale_relationships"]["count"] == 1
    KeyFigure.objects.filter(pk=kf.pk).update(last_contact_on=timezone.localdate())
    assert council_health(council.pk)["councils"][0]["stale_relationships"]["count"] == 0


def test_health_of_all_councils_and_api_access(api, people, staff, ally_factory, make_council, in_utrecht):
    ally_user = people.ally("utrecht", "h")
    one = make_council(allies=[ally_factory(user=ally_user)])
    two = make_council(allies=1)
    body = api(staff.police).get("/api/v1/councils/health/").json()
    assert [c["id"] for c in body["councils"]] == [one.pk, two.pk]
    body = api(staff.police).get(f"/api/v1/councils/{two.pk}/health/").json()
    assert [c["id"] for c in body["councils"]] == [two.pk]
    # Health is for the people who run the map, not for allies or strangers.
    assert_error(api(ally_user).get(f"/api/v1/councils/{one.pk}/health/"), "permission_denied", 403)
    assert_error(api(ally_user).get("/api/v1/councils/health/"), "permission_denied", 403)
    assert_error(api(people.stranger()).get("/api/v1/councils/health/"), "permission_denied", 403)
    connection.set_tenant(in_utrecht)
