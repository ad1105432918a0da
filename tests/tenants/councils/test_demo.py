"""The councils demo: one council with a history, built through the actions; idempotent."""

from __future__ import annotations

import pytest

from tenants.councils.demo import load_demo
from tenants.councils.models import AgendaItem, Attendance, Council, Meeting
from tenants.councils.schedule import council_schedule
from tenants.councils.workflow import MeetingStatus
from tenants.networkmap.models import KeyFigure

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_staff(staff) -> dict:
    return {
        "official": staff.official,
        "police": staff.police,
        "official2": staff.official2,
        "police2": staff.police2,
    }


def test_demo_council_with_history(people, demo_staff, ally_factory, utrecht, in_utrecht):
    allies = [ally_factory(user=people.ally("utrecht", "d1")), *(ally_factory() for _ in range(5))]
    ally_factory(ally=False)  # a key figure who was not selected stays out
    load_demo(utrecht, demo_staff)

    council = Council.objects.get()
    assert council.municipal_lead.user == demo_staff["official"]
    assert council.police_deputy.user == demo_staff["police2"]
    assert set(council.members.values_list("key_figure_id", flat=True)) == {kf.pk for kf in allies}
    # Five of them founded the council, the sixth joined later.
    assert len({seat.joined_on for seat in council.members.all()}) == 2
    meetings = list(council.meetings.order_by("starts_at"))
    assert [m.status for m in meetings] == [MeetingStatus.HELD] * 5 + [MeetingStatus.PLANNED]
    assert all(m.meal and m.notes for m in meetings[:5])
    assert Attendance.objects.filter(meeting__in=meetings[:5], present=True).exists()
    assert AgendaItem.objects.filter(council=council, meeting=meetings[-1]).count() == 3
    assert council_schedule(council)["is_overdue"] is False

    load_demo(utrecht, demo_staff)
    assert Council.objects.count() == 1 and Meeting.objects.count() == 6 and AgendaItem.objects.count() == 3


def test_demo_without_allies_makes_nobody_an_ally(demo_staff, ally_factory, utrecht, in_utrecht):
    ally_factory(ally=False)
    load_demo(utrecht, demo_staff)
    council = Council.objects.get()
    assert council.members.count() == 0
    assert not KeyFigure.objects.filter(is_ally=True).exists()
    # Without allies nobody could attend: the past meetings did not count as held.
    assert council.meetings.filter(status=MeetingStatus.HELD).count() == 0
    assert council.meetings.filter(status=MeetingStatus.CANCELLED).count() == 5
