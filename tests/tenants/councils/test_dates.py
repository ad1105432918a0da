"""Dates stay in a sane window (1990 .. today + 5 years); meetings never before the council started.

9999-12-31 as a start date used to be saved and then broke the schedule (OverflowError) for
everyone in the municipality; a meeting at the calendar's end broke the iCal feed.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from tenants.councils import actions
from tenants.councils.exports import meetings_as_ical
from tenants.councils.health import _months_ago
from tenants.councils.models import Council, Meeting
from tenants.councils.schedule import council_schedule
from tests.helpers import assert_error, assert_raises_code
from tests.tenants.councils.conftest import hold_with_attendance

pytestmark = pytest.mark.django_db


def _payload(staff, **extra) -> dict:
    return {
        "name": "Overleg Zuilen",
        "municipal_lead": staff.m_official.pk,
        "police_lead": staff.m_police.pk,
        "key_figures": [],
        **extra,
    }


@pytest.mark.parametrize("started_on", ["9999-12-31", "0001-01-01", "1989-12-31"])
def test_council_start_out_of_range_is_refused(api, staff, in_utrecht, started_on):
    client = api(staff.official)
    response = client.post("/api/v1/councils/", _payload(staff, started_on=started_on), format="json")
    body = assert_error(response, "date_out_of_range", 400)
    assert "started_on" in body["fields"]
    connection.set_tenant(in_utrecht)
    assert not Council.objects.exists()
    # The list and the health of the municipality keep working.
    assert client.get("/api/v1/councils/").status_code == 200
    assert client.get("/api/v1/councils/health/").status_code == 200


def test_date_out_of_range_message_in_dutch(api, staff):
    response = api(staff.official, language="nl").post(
        "/api/v1/councils/", _payload(staff, started_on="9999-12-31"), format="json"
    )
    body = assert_error(response, "date_out_of_range", 400)
    assert body["detail"].startswith("Startdatum moet tussen 1990-01-01 en ")


def test_start_within_five_years_is_accepted(api, staff):
    soon = (timezone.localdate() + dt.timedelta(days=4 * 365)).isoformat()
    response = api(staff.official).post("/api/v1/councils/", _payload(staff, started_on=soon), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["schedule"]["next_due_on"]


def test_joined_and_left_on_out_of_range(api, staff, make_council, in_utrecht, ally_factory):
    council = make_council(allies=1)
    kf = ally_factory()
    client = api(staff.official)
    response = client.post(
        f"/api/v1/councils/{council.pk}/members/",
        {"key_figures": [kf.pk], "joined_on": "9999-12-31"},
        format="json",
    )
    assert_error(response, "date_out_of_range", 400)
    seat = council.members.get()
    response = client.post(
        f"/api/v1/councils/{council.pk}/members/leave/",
        {"key_figure": seat.key_figure_id, "left_on": "9999-12-31"},
        format="json",
    )
    assert_error(response, "date_out_of_range", 400)


@pytest.mark.parametrize("starts_at", ["9999-12-31T22:00:00Z", "0001-01-01T18:00:00", "1980-05-01T18:00"])
def test_meeting_time_out_of_range_is_refused(api, staff, make_council, in_utrecht, starts_at):
    council = make_council()
    client = api(staff.official)
    response = client.post(
        "/api/v1/council-meetings/",
        {"council": council.pk, "starts_at": starts_at, "place": "x", "meal": "Soep"},
        format="json",
    )
    assert_error(response, "date_out_of_range", 400)
    connection.set_tenant(in_utrecht)
    assert not Meeting.objects.exists()
    assert client.get(f"/api/v1/councils/{council.pk}/calendar/").status_code == 200


def test_meeting_moved_out_of_range_is_refused(api, staff, make_council):
    council = make_council()
    meeting = actions.do_plan_meeting(
        council,
        starts_at=timezone.now() + dt.timedelta(days=3),
        place="x",
        meal="Soep",
        acting_user=staff.official,
    )
    client = api(staff.official)
    for change in ({"starts_at": "9999-12-31T22:00:00Z"}, {"ends_at": "9999-12-31T20:00:00Z"}):
        response = client.patch(f"/api/v1/council-meetings/{meeting.pk}/", change, format="json")
        assert_error(response, "date_out_of_range", 400)


def test_schedule_and_calendar_survive_dates_already_stored(staff, make_council, in_utrecht):
    """Rows saved before the check (or by hand) at the calendar's end do not crash the reads."""
    council = make_council()
    Council.objects.filter(pk=council.pk).update(started_on=dt.date(9999, 12, 31))
    council.refresh_from_db()
    assert council_schedule(council)["next_due_on"] == "9999-12-31"
    meeting = Meeting.objects.create(
        council=council, starts_at=dt.datetime(9999, 12, 31, 22, 0, tzinfo=dt.UTC), place="x", meal="Soep"
    )
    assert b"BEGIN:VEVENT" in meetings_as_ical(council, [meeting])


def test_months_ago_never_leaves_the_calendar():
    assert _months_ago(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert _months_ago(dt.date(2026, 1, 15), 32767) == dt.date.min


# --- D8: the relationship phase cannot be satisfied instantly ---


def test_meeting_before_the_council_started_is_refused(api, staff, make_council, in_utrecht):
    council = make_council(started_on=timezone.localdate() - dt.timedelta(days=10))
    before = (timezone.now() - dt.timedelta(days=30)).isoformat()
    client = api(staff.official)
    response = client.post(
        "/api/v1/council-meetings/",
        {"council": council.pk, "starts_at": before, "place": "x", "meal": "Soep"},
        format="json",
    )
    body = assert_error(response, "meeting_before_council_start", 400)
    assert "starts_at" in body["fields"]
    meeting = actions.do_plan_meeting(
        council,
        starts_at=timezone.now() + dt.timedelta(days=3),
        place="x",
        meal="Soep",
        acting_user=staff.official,
    )
    response = client.patch(f"/api/v1/council-meetings/{meeting.pk}/", {"starts_at": before}, format="json")
    assert_error(response, "meeting_before_council_start", 400)


def test_holding_needs_an_ally_present(staff, make_council, in_utrecht):
    council = make_council(started_on=timezone.localdate() - dt.timedelta(days=10))
    meeting = actions.do_plan_meeting(
        council,
        starts_at=timezone.now() - dt.timedelta(days=1),
        place="x",
        meal="Soep",
        acting_user=staff.official,
    )
    with assert_raises_code("meeting_without_attendance", status=409):
        actions.do_hold_meeting(meeting, acting_user=staff.official)
    assert council_schedule(council)["held_meetings"] == 0
    hold_with_attendance(meeting, staff.official)
    assert council_schedule(council)["held_meetings"] == 1
