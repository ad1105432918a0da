"""The meeting schedule of a council: held meetings, when the next one is due, whether it is overdue.

A read model (no writes): ``with_schedule`` annotates any number of councils in one query, and
``council_schedule`` turns a council into the schedule the API, the health view and the demo
show. The cadence is the municipality's own (``current_rules().meeting_interval_weeks``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import TypedDict

from django.db.models import Count, DateTimeField, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from tenants.councils.models import Council, Meeting
from tenants.councils.rules import current_rules
from tenants.councils.workflow import MeetingStatus


class Schedule(TypedDict):
    held_meetings: int
    last_held_at: str | None
    next_due_on: str
    is_overdue: bool
    in_relationship_phase: bool
    next_planned_at: str | None


def add_days(day: dt.date, days: int) -> dt.date:
    """``day + days``, clamped to the calendar's ends instead of raising OverflowError."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


def with_schedule(councils: QuerySet[Council]) -> QuerySet[Council]:
    """Annotate held count, last held and next planned meeting: one query for any number of councils.

    Subqueries, not joins, so that a queryset already joined to the members (an ally's
    councils) does not multiply the counts.
    """
    held = Meeting.objects.filter(council=OuterRef("pk"), status=MeetingStatus.HELD)
    return councils.annotate(
        schedule_held=Coalesce(
            Subquery(
                held.order_by().values("council").annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            0,
        ),
        schedule_last_held=Subquery(
            held.order_by("-starts_at").values("starts_at")[:1], output_field=DateTimeField()
        ),
        schedule_next_planned=Subquery(
            Meeting.objects.filter(
                council=OuterRef("pk"), status=MeetingStatus.PLANNED, starts_at__gte=timezone.now()
            )
            .order_by("starts_at")
            .values("starts_at")[:1],
            output_field=DateTimeField(),
        ),
    )


def council_schedule(council: Council, *, today: dt.date | None = None, rules=None) -> Schedule:
    """When the next meeting is due (last held + interval, or start + interval) and whether it is overdue.

    Uses the annotations of ``with_schedule`` when the council carries them (list views), and
    ``rules`` when the caller read them once already; otherwise it asks the database.
    """
    rules = rules or current_rules()
    today = today or timezone.localdate()
    if hasattr(council, "schedule_held"):
        held_count = council.schedule_held
        last_held = council.schedule_last_held
        next_planned = council.schedule_next_planned
    else:
        stats = council.meetings.aggregate(
            last_held=Max("starts_at", filter=Q(status=MeetingStatus.HELD)),
            held=Count("id", filter=Q(status=MeetingStatus.HELD)),
        )
        held_count = stats["held"]
        last_held = stats["last_held"]
        next_planned = (
            council.meetings.filter(status=MeetingStatus.PLANNED, starts_at__gte=timezone.now())
            .order_by("starts_at")
            .values_list("starts_at", flat=True)
            .first()
        )
    base = last_held.date() if last_held else council.started_on
    if last_held:
        with contextlib.suppress(OverflowError):  # at the calendar's very end, the UTC day
            base = timezone.localtime(last_held).date()
    next_due = add_days(base, rules.meeting_interval_weeks * 7)
    return {
        "held_meetings": held_count,
        "last_held_at": last_held.isoformat() if last_held else None,
        "next_due_on": next_due.isoformat(),
        "is_overdue": next_due < today,
        "in_relationship_phase": held_count < rules.relationship_meetings,
        "next_planned_at": next_planned.isoformat() if next_planned else None,
    }
