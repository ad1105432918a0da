"""Council health over the years: the method is a long-term investment, so show whether it holds.

Plain JSON-able data with ids and counts only (no names, no phone numbers): the national view
reuses this across municipalities, where data minimisation applies. Signals and response times
use the signals app's definitions (``tenants.signals.stats``).

The number of queries does not depend on the number of councils: meetings, seats, attendance,
roles and signal figures are each read once for all councils and grouped here.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone

from agora.accounts.models import Membership
from agora.accounts.roles import Role
from tenants.councils.models import Attendance, Council, CouncilMember, CouncilRules, Meeting
from tenants.councils.rules import current_rules
from tenants.councils.schedule import council_schedule, with_schedule
from tenants.councils.workflow import MeetingStatus


def _months_ago(today: dt.date, months: int) -> dt.date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    if year < dt.MINYEAR:
        return dt.date.min
    if year > dt.MAXYEAR:
        return dt.date.max
    # Clamp the day to the target month's length (31 March minus one month = 28/29 February).
    for day in (today.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    return dt.date(year, month, 28)


def _local_day(value: dt.datetime) -> dt.date:
    try:
        return timezone.localtime(value).date()
    except OverflowError:
        return value.date()


def meetings_due(started_on: dt.date, period_start: dt.date, period_end: dt.date, interval_days: int) -> int:
    """Meetings due by the cadence in a period (counted from the council's start, to its end day).

    The one definition: council health per year, the national view per quarter.
    """
    start = max(started_on, period_start)
    days = max((period_end - start).days + 1, 0)
    return days // interval_days


def _meetings_per_year(
    council: Council, meetings: list[tuple[int, str, dt.datetime]], today: dt.date, interval_days: int
) -> list[dict[str, Any]]:
    """Held (and cancelled) meetings per calendar year against the number due by the interval."""
    held: Counter[int] = Counter()
    cancelled: Counter[int] = Counter()
    for _pk, status, starts_at in meetings:
        year = _local_day(starts_at).year
        if status == MeetingStatus.HELD:
            held[year] += 1
        elif status == MeetingStatus.CANCELLED:
            cancelled[year] += 1
    rows = []
    for year in range(council.started_on.year, today.year + 1):
        end = min(today, dt.date(year, 12, 31))
        due = meetings_due(council.started_on, dt.date(year, 1, 1), end, interval_days)
        rows.append({"year": year, "held": held[year], "cancelled": cancelled[year], "due": due})
    return rows


def _attendance(
    meetings: list[tuple[int, str, dt.datetime]],
    seats: list[CouncilMember],
    present_members: dict[int, set[int]],
    present_memberships: dict[int, set[int]],
    roles: dict[int, str],
) -> list[dict[str, Any]]:
    """Per held meeting: allies seated that day plus one seat per side, and how many of them came."""
    result = []
    for pk, status, starts_at in sorted(meetings, key=lambda m: (m[2], m[0])):
        if status != MeetingStatus.HELD:
            continue
        day = _local_day(starts_at)
        seated = [s for s in seats if s.joined_on <= day and (s.left_on is None or s.left_on >= day)]
        sides = {roles.get(m) for m in present_memberships[pk]} & {Role.OFFICIAL, Role.POLICE}
        allies_present = len(present_members[pk] & {s.pk for s in seated})
        expected = len(seated) + 2
        present = allies_present + len(sides)
        result.append(
            {
                "meeting_id": pk,
                "starts_at": starts_at.isoformat(),
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


def _tenure(seats: list[CouncilMember], today: dt.date) -> dict[str, Any]:
    rows = []
    for seat in sorted(seats, key=lambda s: (s.joined_on, s.pk)):
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


def _stale(seats: list[CouncilMember], today: dt.date, months: int) -> dict[str, Any]:
    """Active members nobody has been in touch with for ``months`` (or never)."""
    cutoff = _months_ago(today, months)
    stale = []
    for seat in sorted(seats, key=lambda s: (s.joined_on, s.pk)):
        if seat.left_on is not None:
            continue
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


def _since(council: Council) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(council.started_on, dt.time.min))


def _signals(councils: list[Council]) -> dict[int, dict[str, Any]]:
    """Signal figures of every council in one aggregate query, with the signals app's definitions.

    ``tenants.signals.stats.signal_stats`` answers for one scope; asking it per council would
    cost a query per council. The same aggregates are built here once per council, filtered
    to its scope (neighbourhoods, since it started), in a single SELECT. Imported lazily: the
    signals app depends on this one, so a module-level import would be circular.
    """
    from tenants.signals.deadlines import overdue_cutoff
    from tenants.signals.models import Signal
    from tenants.signals.stats import EpochSeconds, Median
    from tenants.signals.workflow import SignalStatus

    if not councils:
        return {}
    cutoff = overdue_cutoff()
    aggregates: dict[str, Any] = {}
    for council in councils:
        scope = Q(raised_at__gte=_since(council))
        if not council.covers_whole_municipality:
            scope &= Q(neighbourhood_id__in=[n.pk for n in council.neighbourhoods.all()])
        key = f"c{council.pk}"
        aggregates[f"{key}_raised"] = Count("pk", filter=scope)
        aggregates[f"{key}_answered"] = Count("pk", filter=scope & Q(first_answered_at__isnull=False))
        aggregates[f"{key}_open"] = Count("pk", filter=scope & ~Q(status=SignalStatus.CLOSED))
        aggregates[f"{key}_overdue"] = Count("pk", filter=scope & Q(awaiting_answer_since__lt=cutoff))
        aggregates[f"{key}_median"] = Median(EpochSeconds(F("response_time")), filter=scope)
    figures = Signal.objects.aggregate(**aggregates)
    result = {}
    for council in councils:
        key = f"c{council.pk}"
        median = figures[f"{key}_median"]
        result[council.pk] = {
            "raised": figures[f"{key}_raised"],
            "answered": figures[f"{key}_answered"],
            "open": figures[f"{key}_open"],
            "overdue": figures[f"{key}_overdue"],
            "median_response_hours": None if median is None else round(float(median) / 3600, 2),
        }
    return result


# Stable codes of the seat gaps: a council must never silently lose its municipal or police member.
GAP_LEAD_SEAT_EMPTY = "lead_seat_empty"
GAP_LEAD_WITHOUT_MOBILE = "lead_without_mobile"
GAP_DEPUTY_SEAT_EMPTY = "deputy_seat_empty"
GAP_DEPUTY_WITHOUT_MOBILE = "deputy_without_mobile"
SEAT_GAP_CODES = (
    GAP_LEAD_SEAT_EMPTY,
    GAP_LEAD_WITHOUT_MOBILE,
    GAP_DEPUTY_SEAT_EMPTY,
    GAP_DEPUTY_WITHOUT_MOBILE,
)


def seat_gaps(council: Council) -> list[dict[str, str]]:
    """Per side: an empty lead or deputy seat, or a holder nobody can call (no mobile number here).

    Seats that predate the mobile-number rule are flagged here rather than broken; a lead who
    left with no deputy leaves the lead seat empty (``actions.handover``). Codes and sides only.
    """
    gaps = []
    for side in ("municipal", "police"):
        for seat, empty, no_mobile in (
            ("lead", GAP_LEAD_SEAT_EMPTY, GAP_LEAD_WITHOUT_MOBILE),
            ("deputy", GAP_DEPUTY_SEAT_EMPTY, GAP_DEPUTY_WITHOUT_MOBILE),
        ):
            holder = getattr(council, f"{side}_{seat}")
            if holder is None:
                gaps.append({"code": empty, "side": side})
            elif not holder.mobile:
                gaps.append({"code": no_mobile, "side": side})
    return gaps


def _one(
    council: Council,
    today: dt.date,
    rules: CouncilRules,
    meetings: list[tuple[int, str, dt.datetime]],
    seats: list[CouncilMember],
    attendance: list[dict[str, Any]],
    signals: dict[str, Any],
) -> dict[str, Any]:
    rates = [row["rate"] for row in attendance if row["rate"] is not None]
    gaps = seat_gaps(council)
    return {
        "id": council.pk,
        "name": council.name,
        "started_on": council.started_on.isoformat(),
        "covers_whole_municipality": council.covers_whole_municipality,
        "neighbourhood_ids": sorted(n.pk for n in council.neighbourhoods.all()),
        "schedule": council_schedule(council, today=today, rules=rules),
        "meetings_per_year": _meetings_per_year(
            council, meetings, today, max(rules.meeting_interval_weeks, 1) * 7
        ),
        "attendance": attendance,
        "average_attendance_rate": round(statistics.fmean(rates), 3) if rates else None,
        "tenure": _tenure(seats, today),
        "stale_relationships": _stale(seats, today, rules.stale_contact_months),
        "signals": signals,
        "gaps": gaps,
        "gap_count": len(gaps),
    }


def council_health(council_id: int | None = None, *, today: dt.date | None = None) -> dict[str, Any]:
    """Health of one council, or of every council of the current municipality.

    Always the same shape (``{"generated_at", "rules", "councils": [...]}``) so that the
    national view can merge municipalities without special cases.
    """
    today = today or timezone.localdate()
    rules = current_rules()
    councils_qs = (
        with_schedule(Council.objects.all())
        .select_related("municipal_lead", "municipal_deputy", "police_lead", "police_deputy")
        .prefetch_related("neighbourhoods")
        .order_by("pk")
    )
    if council_id is not None:
        councils_qs = councils_qs.filter(pk=council_id)
    councils = list(councils_qs)
    pks = [c.pk for c in councils]

    meetings: dict[int, list[tuple[int, str, dt.datetime]]] = defaultdict(list)
    for pk, council_pk, status, starts_at in (
        Meeting.objects.filter(council__in=pks)
        .exclude(status=MeetingStatus.PLANNED)
        .values_list("pk", "council_id", "status", "starts_at")
    ):
        meetings[council_pk].append((pk, status, starts_at))

    seats: dict[int, list[CouncilMember]] = defaultdict(list)
    for seat in CouncilMember.objects.filter(council__in=pks).select_related("key_figure"):
        seats[seat.council_id].append(seat)

    present_members: dict[int, set[int]] = defaultdict(set)
    present_memberships: dict[int, set[int]] = defaultdict(set)
    for meeting_pk, member_pk, membership_pk in Attendance.objects.filter(
        meeting__council__in=pks, meeting__status=MeetingStatus.HELD, present=True
    ).values_list("meeting_id", "member_id", "membership_id"):
        if member_pk:
            present_members[meeting_pk].add(member_pk)
        else:
            present_memberships[meeting_pk].add(membership_pk)
    membership_ids = {pk for ids in present_memberships.values() for pk in ids}
    roles = (
        dict(Membership.objects.filter(pk__in=membership_ids).values_list("pk", "role"))
        if membership_ids
        else {}
    )
    signals = _signals(councils)
    results = [
        _one(
            council,
            today,
            rules,
            meetings[council.pk],
            seats[council.pk],
            _attendance(meetings[council.pk], seats[council.pk], present_members, present_memberships, roles),
            signals[council.pk],
        )
        for council in councils
    ]
    gap_totals = Counter(gap["code"] for result in results for gap in result["gaps"])

    health = {
        "generated_at": timezone.now().isoformat(),
        "today": today.isoformat(),
        "rules": {
            "meeting_interval_weeks": rules.meeting_interval_weeks,
            "relationship_meetings": rules.relationship_meetings,
            "stale_contact_months": rules.stale_contact_months,
            "signal_overdue_days": rules.signal_overdue_days,
        },
        # What the national view adds up across municipalities: councils with seat gaps, per code.
        "gaps": {code: gap_totals[code] for code in SEAT_GAP_CODES},
        "councils_with_gaps": sum(1 for result in results if result["gaps"]),
        "councils": results,
    }
    _add_drill_gaps(health["councils"], today)
    return health


def _add_drill_gaps(councils: list[dict[str, Any]], today: dt.date) -> None:
    """Each council's last reachability drill; none, or one older than the crisis setting, is a gap.

    Imported lazily: the crises app depends on this one.
    """
    from tenants.crises.timeline import drill_gaps

    gaps = drill_gaps([council["id"] for council in councils], today=today)
    for council in councils:
        council["drill"] = gaps[council["id"]]
