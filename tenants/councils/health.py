"""Council health over the years: the method is a long-term investment, so show whether it holds.

Plain JSON-able data with ids and counts only (no names, no phone numbers): the national view
reuses this across municipalities, where data minimisation applies. Signals and response times
come from the signals app (``tenants.signals.stats.signal_stats``).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from typing import Any

from django.utils import timezone

from agora.accounts.models import Membership
from agora.accounts.roles import Role
from tenants.councils.models import Attendance, Council
from tenants.councils.rules import current_rules
from tenants.councils.services import council_schedule
from tenants.councils.workflow import MeetingStatus


def _months_ago(today: dt.date, months: int) -> dt.date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    # Clamp the day to the target month's length (31 March minus one month = 28/29 February).
    for day in (today.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _meetings_per_year(council: Council, today: dt.date, interval_days: int) -> list[dict[str, Any]]:
    """Held (and cancelled) meetings per calendar year against the number due by the interval."""
    held: Counter[int] = Counter()
    cancelled: Counter[int] = Counter()
    for status, starts_at in council.meetings.exclude(status=MeetingStatus.PLANNED).values_list(
        "status", "starts_at"
    ):
        year = timezone.localtime(starts_at).year
        (held if status == MeetingStatus.HELD else cancelled)[year] += 1
    rows = []
    for year in range(council.started_on.year, today.year + 1):
        start = max(council.started_on, dt.date(year, 1, 1))
        end = min(today, dt.date(year, 12, 31))
        days = max((end - start).days + 1, 0)
        rows.append(
            {"year": year, "held": held[year], "cancelled": cancelled[year], "due": days // interval_days}
        )
    return rows


def _attendance(council: Council) -> list[dict[str, Any]]:
    """Per held meeting: allies seated that day plus one seat per side, and how many of them came."""
    meetings = list(council.meetings.filter(status=MeetingStatus.HELD).order_by("starts_at"))
    seats = list(council.members.all())
    rows = Attendance.objects.filter(meeting__in=meetings, present=True)
    present_members: dict[int, set[int]] = defaultdict(set)
    present_memberships: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        if row.member_id:
            present_members[row.meeting_id].add(row.member_id)
        else:
            present_memberships[row.meeting_id].add(row.membership_id)
    membership_ids = {pk for ids in present_memberships.values() for pk in ids}
    roles = dict(Membership.objects.filter(pk__in=membership_ids).values_list("pk", "role"))
    result = []
    for meeting in meetings:
        day = timezone.localtime(meeting.starts_at).date()
        seated = [s for s in seats if s.joined_on <= day and (s.left_on is None or s.left_on >= day)]
        sides = {roles.get(pk) for pk in present_memberships[meeting.pk]} & {Role.OFFICIAL, Role.POLICE}
        allies_present = len(present_members[meeting.pk] & {s.pk for s in seated})
        expected = len(seated) + 2
        present = allies_present + len(sides)
        result.append(
            {
                "meeting_id": meeting.pk,
                "starts_at": meeting.starts_at.isoformat(),
                "allies_seated": len(seated),
                "allies_present": allies_present,
                "municipality_present": Role.OFFICIAL in sides,
                "police_present": Role.POLICE in sides,
                "expected": expected,
                "present": present,
                "rate": round(present / expected, 3) if expected else None,
            }
        )
    return result


def _tenure(council: Council, today: dt.date) -> dict[str, Any]:
    rows = []
    for seat in council.members.order_by("joined_on", "pk"):
        end = seat.left_on or today
        rows.append(
            {
                "member_id": seat.pk,
                "key_figure_id": seat.key_figure_id,
                "joined_on": seat.joined_on.isoformat(),
                "left_on": seat.left_on.isoformat() if seat.left_on else None,
                "active": seat.left_on is None,
                "days": (end - seat.joined_on).days,
            }
        )
    active_days = [r["days"] for r in rows if r["active"]]
    return {
        "members": rows,
        "active": len(active_days),
        "left": len(rows) - len(active_days),
        "median_days_active": statistics.median(active_days) if active_days else None,
    }


def _stale(council: Council, today: dt.date, months: int) -> dict[str, Any]:
    """Active members nobody has been in touch with for ``months`` (or never)."""
    cutoff = _months_ago(today, months)
    stale = []
    for seat in council.members.filter(left_on__isnull=True).select_related("key_figure"):
        last = seat.key_figure.last_contact_on
        if last is None or last < cutoff:
            stale.append(
                {
                    "member_id": seat.pk,
                    "key_figure_id": seat.key_figure_id,
                    "last_contact_on": last.isoformat() if last else None,
                }
            )
    return {"months": months, "since": cutoff.isoformat(), "count": len(stale), "members": stale}


def _signals(council: Council) -> dict[str, Any]:
    """Signals raised in the council's scope since it started, from the signals app.

    Imported lazily: the signals app depends on this one (it reads ``current_rules`` and keys
    notices to councils), so a module-level import would be circular.
    """
    from tenants.signals.stats import signal_stats

    neighbourhood_ids = (
        None
        if council.covers_whole_municipality
        else sorted(council.neighbourhoods.values_list("pk", flat=True))
    )
    since = timezone.make_aware(dt.datetime.combine(council.started_on, dt.time.min))
    return dict(signal_stats(neighbourhood_ids=neighbourhood_ids, since=since))


def _one(council: Council, today: dt.date) -> dict[str, Any]:
    rules = current_rules()
    attendance = _attendance(council)
    rates = [row["rate"] for row in attendance if row["rate"] is not None]
    return {
        "id": council.pk,
        "name": council.name,
        "started_on": council.started_on.isoformat(),
        "covers_whole_municipality": council.covers_whole_municipality,
        "neighbourhood_ids": sorted(council.neighbourhoods.values_list("pk", flat=True)),
        "schedule": council_schedule(council, today=today),
        "meetings_per_year": _meetings_per_year(council, today, rules.meeting_interval_weeks * 7),
        "attendance": attendance,
        "average_attendance_rate": round(statistics.fmean(rates), 3) if rates else None,
        "tenure": _tenure(council, today),
        "stale_relationships": _stale(council, today, rules.stale_contact_months),
        "signals": _signals(council),
    }


def council_health(council_id: int | None = None, *, today: dt.date | None = None) -> dict[str, Any]:
    """Health of one council, or of every council of the current municipality.

    Always the same shape (``{"generated_at", "rules", "councils": [...]}``) so that the
    national view can merge municipalities without special cases.
    """
    today = today or timezone.localdate()
    rules = current_rules()
    councils = Council.objects.all().order_by("pk")
    if council_id is not None:
        councils = councils.filter(pk=council_id)
    return {
        "generated_at": timezone.now().isoformat(),
        "today": today.isoformat(),
        "rules": {
            "meeting_interval_weeks": rules.meeting_interval_weeks,
            "relationship_meetings": rules.relationship_meetings,
            "stale_contact_months": rules.stale_contact_months,
            "signal_overdue_days": rules.signal_overdue_days,
        },
        "councils": [_one(council, today) for council in councils],
    }
