"""Meetings: the meal rule, Amsterdam times, attendance, hold/cancel, cadence and the iCal feed."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.utils import timezone
from icalendar import Calendar

from agora.audit.models import AuditEvent
from tenants.councils import actions
from tenants.councils.models import Meeting
from tenants.councils.schedule import council_schedule
from tenants.councils.workflow import (
    ALLOWED_MEETING_TRANSITIONS,
    MeetingStatus,
    meeting_transition_allowed,
)
from tests.helpers import assert_error
from tests.tenants.councils.conftest import hold_with_attendance

pytestmark = pytest.mark.django_db
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")


def _held(council, staff, *, days_ago: int) -> Meeting:
    start = timezone.now() - dt.timedelta(days=days_ago)
    meeting = actions.do_plan_meeting(
        council, starts_at=start, place="Buurthuis", meal="Soep", acting_user=staff.official
    )
    return hold_with_attendance(meeting, staff.official)


@pytest.mark.parametrize("meal", ["", "   "])
def test_a_meeting_without_a_meal_cannot_be_planned(api, staff, make_council, in_utrecht, meal):
    council = make_council()
    response = api(staff.official).post(
        "/api/v1/council-meetings/",
        {"council": council.pk, "starts_at": "2026-12-10T18:00", "place": "Buurthuis", "meal": meal},
        format="json",
    )
    body = assert_error(response, "meal_required", 400)
    assert "meal" in body["fields"]
    connection.set_tenant(in_utrecht)
    assert not Meeting.objects.exists()


def test_meal_missing_from_the_request_is_also_meal_required(api, staff, make_council):
    council = make_council()
    response = api(staff.official).post(
        "/api/v1/council-meetings/",
        {"council": council.pk, "starts_at": "2026-12-10T18:00", "place": "Buurthuis"},
        format="json",
    )
    assert_error(response, "meal_required", 400)


def test_meal_cannot_be_removed_later(api, staff, make_council):
    council = make_council()
    meeting = actions.do_plan_meeting(
        council,
        starts_at=dt.datetime(2026, 12, 10, 18, 0),
        place="Buurthuis",
        meal="Stamppot",
        acting_user=staff.official,
    )
    response = api(staff.official).patch(
        f"/api/v1/council-meetings/{meeting.pk}/", {"meal": ""}, format="json"
    )
    assert_error(response, "meal_required", 400)


def test_planned_time_is_amsterdam_time(api, staff, make_council, in_utrecht):
    council = make_council()
    response = api(staff.official).post(
        "/api/v1/council-meetings/",
        {
            "council": council.pk,
            "starts_at": "2026-07-01T18:30",
            "ends_at": "2026-07-01T21:00",
            "place": "Moskee Ulu",
            "meal": "Iftar",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["starts_at"].startswith("2026-07-01T18:30:00+02:00")
    connection.set_tenant(in_utrecht)
    meeting = Meeting.objects.get()
    assert meeting.starts_at == dt.datetime(2026, 7, 1, 16, 30, tzinfo=dt.UTC)
    # Naive datetimes given to the action directly are read as Amsterdam wall-clock time too.
    winter = actions.do_plan_meeting(
        council, starts_at=dt.datetime(2026, 1, 15, 19, 0), place="x", meal="y", acting_user=staff.official
    )
    assert winter.starts_at == dt.datetime(2026, 1, 15, 19, 0, tzinfo=AMSTERDAM)


def test_end_must_follow_start(api, staff, make_council):
    council = make_council()
    response = api(staff.official).post(
        "/api/v1/council-meetings/",
        {
            "council": council.pk,
            "starts_at": "2026-07-01T18:30",
            "ends_at": "2026-07-01T17:00",
            "place": "x",
            "meal": "Soep",
        },
        format="json",
    )
    assert_error(response, "meeting_time_invalid", 400)


def test_every_meeting_transition():
    """Walk the table: planned → held | cancelled; held and cancelled are final."""
    statuses = list(MeetingStatus.values)
    allowed = {(a, b) for a in statuses for b in statuses if meeting_transition_allowed(a, b)}
    assert allowed == {
        (MeetingStatus.PLANNED, MeetingStatus.HELD),
        (MeetingStatus.PLANNED, MeetingStatus.CANCELLED),
    }
    assert set(ALLOWED_MEETING_TRANSITIONS) == set(statuses)


def test_hold_and_cancel_through_the_api(api, staff, make_council):
    council = make_council()
    client = api(staff.official)
    past = actions.do_plan_meeting(
        council,
        starts_at=timezone.now() - dt.timedelta(days=1),
        place="x",
        meal="Soep",
        acting_user=staff.official,
    )
    future = actions.do_plan_meeting(
        council,
        starts_at=timezone.now() + dt.timedelta(days=10),
        place="x",
        meal="Soep",
        acting_user=staff.official,
    )
    assert_error(client.post(f"/api/v1/council-meetings/{future.pk}/hold/", {}), "meeting_in_future", 409)
    # Held only once an ally was there: record the attendance first (D8).
    assert_error(
        client.post(f"/api/v1/council-meetings/{past.pk}/hold/", {}), "meeting_without_attendance", 409
    )
    seat = council.members.order_by("pk").first()
    response = client.post(
        f"/api/v1/council-meetings/{past.pk}/attendance/",
        {
            "members": [{"member": seat.pk, "present": False}],
            "leads": [{"membership": staff.m_official.pk, "present": True}],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    # Only leads, or absent allies, do not make a council meeting.
    assert_error(
        client.post(f"/api/v1/council-meetings/{past.pk}/hold/", {}), "meeting_without_attendance", 409
    )
    client.post(
        f"/api/v1/council-meetings/{past.pk}/attendance/",
        {"members": [{"member": seat.pk, "present": True}]},
        format="json",
    )
    response = client.post(
        f"/api/v1/council-meetings/{past.pk}/hold/", {"notes": "Goed gesprek"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "held"
    assert response.json()["notes"] == "Goed gesprek"
    assert_error(client.post(f"/api/v1/council-meetings/{past.pk}/cancel/", {}), "invalid_transition", 409)
    assert_error(client.post(f"/api/v1/council-meetings/{past.pk}/hold/", {}), "invalid_transition", 409)
    response = client.post(
        f"/api/v1/council-meetings/{future.pk}/cancel/", {"reason": "Ramadan"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert_error(client.post(f"/api/v1/council-meetings/{future.pk}/hold/", {}), "invalid_transition", 409)
    # A held meeting's time is history; its notes can still be completed.
    assert_error(
        client.patch(f"/api/v1/council-meetings/{past.pk}/", {"place": "elders"}, format="json"),
        "meeting_not_editable",
        409,
    )
    response = client.patch(f"/api/v1/council-meetings/{past.pk}/", {"notes": "Aangevuld"}, format="json")
    assert response.status_code == 200 and response.json()["notes"] == "Aangevuld"
    assert AuditEvent.objects.filter(action="councils.meeting_held", object_id=str(past.pk)).exists()
    assert AuditEvent.objects.filter(action="councils.meeting_cancelled", object_id=str(future.pk)).exists()


def test_attendance_per_member_and_lead(api, staff, make_council, in_utrecht):
    council = make_council(allies=3)
    other = make_council(allies=1)
    meeting = actions.do_plan_meeting(
        council,
        starts_at=timezone.now() - dt.timedelta(hours=3),
        place="x",
        meal="Soep",
        acting_user=staff.official,
    )
    seats = list(council.members.order_by("pk"))
    client = api(staff.police)
    response = client.post(
        f"/api/v1/council-meetings/{meeting.pk}/attendance/",
        {
            "members": [{"member": seats[0].pk, "present": True}, {"member": seats[1].pk, "present": False}],
            "leads": [{"membership": staff.m_official2.pk, "present": True}],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    recorded = {(a["member"], a["membership"], a["present"]) for a in response.json()["attendance"]}
    assert recorded == {
        (seats[0].pk, None, True),
        (seats[1].pk, None, False),
        (None, staff.m_official2.pk, True),
    }
    # A seat of another council, or a staff member who is not a lead here, is refused.
    connection.set_tenant(in_utrecht)
    foreign_seat = other.members.get()
    response = client.post(
        f"/api/v1/council-meetings/{meeting.pk}/attendance/",
        {"members": [{"member": foreign_seat.pk, "present": True}]},
        format="json",
    )
    assert_error(response, "attendee_not_in_council", 400)


def test_next_due_and_overdue(staff, make_council):
    council = make_council(started_on=timezone.localdate() - dt.timedelta(days=200))
    schedule = council_schedule(council)
    assert schedule["held_meetings"] == 0
    assert schedule["is_overdue"] is True  # started 200 days ago, never met: due after 6 weeks
    held = _held(council, staff, days_ago=50)
    schedule = council_schedule(council)
    last_day = timezone.localtime(held.starts_at).date()
    assert schedule["next_due_on"] == (last_day + dt.timedelta(weeks=6)).isoformat()
    assert schedule["is_overdue"] is True  # 50 days > 42
    _held(council, staff, days_ago=10)
    schedule = council_schedule(council)
    assert schedule["is_overdue"] is False
    assert schedule["held_meetings"] == 2
    assert schedule["in_relationship_phase"] is True


def test_overdue_is_flagged_in_the_api(api, staff, make_council):
    council = make_council(started_on=timezone.localdate() - dt.timedelta(days=60))
    body = api(staff.official).get(f"/api/v1/councils/{council.pk}/").json()
    assert body["schedule"]["is_overdue"] is True
    api(staff.official).patch("/api/v1/council-rules/", {"meeting_interval_weeks": 10}, format="json")
    body = api(staff.official).get(f"/api/v1/councils/{council.pk}/").json()
    assert body["schedule"]["is_overdue"] is False


def test_ical_export_parses(api, staff, people, ally_factory, make_council):
    ally_user = people.ally("utrecht", "cal")
    council = make_council(allies=[ally_factory(user=ally_user), ally_factory()])
    planned = actions.do_plan_meeting(
        council,
        starts_at=dt.datetime(2026, 12, 10, 18, 0, tzinfo=AMSTERDAM),
        ends_at=dt.datetime(2026, 12, 10, 21, 0, tzinfo=AMSTERDAM),
        place="Buurthuis De Boog, Utrecht",
        meal="Roti; met kip",
        acting_user=staff.official,
    )
    cancelled = actions.do_plan_meeting(
        council,
        starts_at=dt.datetime(2026, 12, 20, 18, 0, tzinfo=AMSTERDAM),
        place="x",
        meal="Soep",
        acting_user=staff.official,
    )
    actions.do_cancel_meeting(cancelled, acting_user=staff.official)
    for client, url in (
        (api(staff.official), f"/api/v1/councils/{council.pk}/calendar/"),
        (api(ally_user), f"/api/v1/councils/{council.pk}/calendar.ics"),
    ):
        response = client.get(url)
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith("text/calendar")
        calendar = Calendar.from_ical(response.content)
        events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
        assert len(events) == 2
        event = next(e for uid, e in events.items() if f"meeting-{planned.pk}@" in uid)
        assert event.decoded("dtstart") == planned.starts_at
        assert event.decoded("dtend") == planned.ends_at
        assert str(event["location"]) == "Buurthuis De Boog, Utrecht"
        assert "Roti; met kip" in str(event["summary"])
        cancelled_event = next(e for uid, e in events.items() if f"meeting-{cancelled.pk}@" in uid)
        assert str(cancelled_event["status"]) == "CANCELLED"


def test_allies_read_meetings_but_cannot_plan(api, people, staff, ally_factory, make_council):
    ally_user = people.ally("utrecht", "m")
    council = make_council(allies=[ally_factory(user=ally_user)])
    other = make_council(allies=1)
    mine = actions.do_plan_meeting(
        council, starts_at=dt.datetime(2026, 12, 1, 18, 0), place="x", meal="Soep", acting_user=staff.official
    )
    theirs = actions.do_plan_meeting(
        other, starts_at=dt.datetime(2026, 12, 2, 18, 0), place="x", meal="Soep", acting_user=staff.official
    )
    client = api(ally_user)
    assert [m["id"] for m in client.get("/api/v1/council-meetings/").json()["results"]] == [mine.pk]
    assert_error(client.get(f"/api/v1/council-meetings/{theirs.pk}/"), "not_found", 404)
    response = client.post(
        "/api/v1/council-meetings/",
        {"council": council.pk, "starts_at": "2026-12-10T18:00", "place": "x", "meal": "Soep"},
        format="json",
    )
    assert_error(response, "permission_denied", 403)
    assert_error(client.post(f"/api/v1/council-meetings/{mine.pk}/cancel/", {}), "permission_denied", 403)
    assert_error(api(people.stranger()).get("/api/v1/council-meetings/"), "permission_denied", 403)
