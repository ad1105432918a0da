"""Council meetings: planning (never without a meal), changing, holding, cancelling, attendance.

Only staff of this municipality write meetings (``require_staff``). A meeting's status moves
through ``MEETING_WORKFLOW`` on a row locked with ``agora.workflow.lock``; every move, the
planning included, writes one append-only ``MeetingStatusChange`` row and an audit row in the
same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from agora.accounts.actors import require_staff
from agora.audit.actions import record_action
from agora.workflow import lock
from tenants.councils import errors
from tenants.councils.actions.dates import AMSTERDAM, as_amsterdam, check_date
from tenants.councils.models import Attendance, Council, Meeting, MeetingStatusChange
from tenants.councils.workflow import MEETING_WORKFLOW, MeetingStatus


def held_meeting_count(council: Council) -> int:
    return council.meetings.filter(status=MeetingStatus.HELD).count()


def _history(meeting: Meeting, acting_user):
    """The history writer ``Workflow.move`` calls: one row per move, by the acting user."""

    def write(old: str, new: str) -> MeetingStatusChange:
        return MeetingStatusChange.objects.create(
            meeting=meeting, from_status=old, to_status=new, changed_by=acting_user
        )

    return write


@transaction.atomic
def do_plan_meeting(
    council: Council,
    *,
    starts_at: dt.datetime,
    place: str,
    meal: str,
    ends_at: dt.datetime | None = None,
    notes: str = "",
    acting_user,
) -> Meeting:
    """Plan a meeting (staff). Never without a meal: eating together is how the relationship is built."""
    require_staff(acting_user)
    if not (meal or "").strip():
        raise errors.MEAL_REQUIRED(fields={"meal": ["required"]})
    starts_at = as_amsterdam(starts_at)
    ends_at = as_amsterdam(ends_at)
    if starts_at is None or (ends_at is not None and ends_at <= starts_at):
        raise errors.MEETING_NOT_AWARE(fields={"ends_at": ["must be after starts_at"]})
    _check_meeting_times(council, starts_at, ends_at)
    meeting = Meeting.objects.create(
        council=council,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        meal=meal.strip(),
        notes=notes,
    )
    _history(meeting, acting_user)("", meeting.status)
    record_action(
        "councils.meeting_planned",
        actor=acting_user,
        obj=meeting,
        detail={"council": council.pk, "starts_at": starts_at.isoformat()},
    )
    return meeting


@transaction.atomic
def do_update_meeting(meeting: Meeting, changes: Mapping[str, Any], *, acting_user) -> Meeting:
    """Change a meeting's time, place, meal or notes (staff). Notes stay editable after it was held."""
    require_staff(acting_user)
    meeting = lock(Meeting, meeting)
    allowed = {"starts_at", "ends_at", "place", "meal", "notes"}
    changes = {k: v for k, v in changes.items() if k in allowed}
    if meeting.status != MeetingStatus.PLANNED and set(changes) - {"notes"}:
        raise errors.MEETING_NOT_EDITABLE(status=meeting.status)
    if "meal" in changes and not (changes["meal"] or "").strip():
        raise errors.MEAL_REQUIRED(fields={"meal": ["required"]})
    for key in ("starts_at", "ends_at"):
        if key in changes:
            changes[key] = as_amsterdam(changes[key])
            check_date(changes[key], key)
    for key, value in changes.items():
        setattr(meeting, key, value.strip() if key in ("place", "meal") else value)
    if meeting.starts_at is None or (meeting.ends_at is not None and meeting.ends_at <= meeting.starts_at):
        raise errors.MEETING_NOT_AWARE(fields={"ends_at": ["must be after starts_at"]})
    if "starts_at" in changes:
        _check_meeting_times(meeting.council, meeting.starts_at, None)
    meeting.save()
    record_action(
        "councils.meeting_updated", actor=acting_user, obj=meeting, detail={"changed": sorted(changes)}
    )
    return meeting


def _check_meeting_times(council: Council, starts_at: dt.datetime, ends_at: dt.datetime | None) -> None:
    """Inside the sane window, and never before the council started (no back-dated meetings)."""
    check_date(starts_at, "starts_at")
    check_date(ends_at, "ends_at")
    if starts_at.astimezone(AMSTERDAM).date() < council.started_on:
        raise errors.MEETING_BEFORE_START(
            started_on=council.started_on.isoformat(), fields={"starts_at": ["meeting_before_council_start"]}
        )


@transaction.atomic
def do_hold_meeting(meeting: Meeting, *, notes: str | None = None, acting_user) -> Meeting:
    """Mark a meeting as held (staff). Held meetings count towards the relationship phase and the cadence.

    Only a meeting that at least one ally attended can be held (record the attendance first):
    otherwise the relationship phase could be "built" by marking empty meetings as held.
    """
    require_staff(acting_user)
    meeting = lock(Meeting, meeting)
    MEETING_WORKFLOW.check(meeting.status, MeetingStatus.HELD)
    if meeting.starts_at > timezone.now():
        raise errors.MEETING_IN_FUTURE()
    if not meeting.attendance.filter(member__isnull=False, present=True).exists():
        raise errors.MEETING_WITHOUT_ATTENDANCE()
    if notes is not None:
        meeting.notes = notes
    MEETING_WORKFLOW.move(
        meeting, MeetingStatus.HELD, history=_history(meeting, acting_user), update_fields=["notes"]
    )
    record_action(
        "councils.meeting_held", actor=acting_user, obj=meeting, detail={"council": meeting.council_id}
    )
    return meeting


@transaction.atomic
def do_cancel_meeting(meeting: Meeting, *, reason: str = "", acting_user) -> Meeting:
    """Call a planned meeting off (staff), with the reason."""
    require_staff(acting_user)
    meeting = lock(Meeting, meeting)
    MEETING_WORKFLOW.check(meeting.status, MeetingStatus.CANCELLED)
    meeting.cancel_reason = reason[:200]
    MEETING_WORKFLOW.move(
        meeting,
        MeetingStatus.CANCELLED,
        history=_history(meeting, acting_user),
        update_fields=["cancel_reason"],
    )
    record_action(
        "councils.meeting_cancelled",
        actor=acting_user,
        obj=meeting,
        detail={"council": meeting.council_id, "fields": ["cancel_reason"] if meeting.cancel_reason else []},
    )
    return meeting


@transaction.atomic
def do_record_attendance(
    meeting: Meeting,
    *,
    members: Mapping[int, bool] | None = None,
    leads: Mapping[int, bool] | None = None,
    acting_user,
) -> Meeting:
    """Record who was there (staff): allies by their seat, leads and deputies by their membership."""
    require_staff(acting_user)
    meeting = lock(Meeting.objects.select_related("council"), meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise errors.MEETING_NOT_EDITABLE(status=meeting.status)
    council = meeting.council
    day = timezone.localtime(meeting.starts_at, AMSTERDAM).date()
    members = {int(k): bool(v) for k, v in (members or {}).items()}
    leads = {int(k): bool(v) for k, v in (leads or {}).items()}
    seats = {
        seat.pk: seat
        for seat in council.members.filter(pk__in=members, joined_on__lte=day).exclude(left_on__lt=day)
    }
    unknown_members = sorted(set(members) - set(seats))
    unknown_leads = sorted(set(leads) - council.lead_membership_ids())
    if unknown_members or unknown_leads:
        raise errors.ATTENDEE_NOT_IN_COUNCIL(fields={"members": unknown_members, "leads": unknown_leads})
    for seat_id, present in members.items():
        Attendance.objects.update_or_create(meeting=meeting, member_id=seat_id, defaults={"present": present})
    for membership_id, present in leads.items():
        Attendance.objects.update_or_create(
            meeting=meeting, membership_id=membership_id, defaults={"present": present}
        )
    record_action(
        "councils.attendance_recorded",
        actor=acting_user,
        obj=meeting,
        detail={
            "members": {str(k): v for k, v in members.items()},
            "leads": {str(k): v for k, v in leads.items()},
        },
    )
    return meeting
