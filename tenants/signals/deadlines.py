"""When an unanswered signal becomes overdue.

The number of days is a per-municipality rule (``signal_overdue_days``) kept by the councils
app with the other tailor-made settings of the method; 14 days when it has not been set.

Days are calendar days in Europe/Amsterdam, not periods of 24 hours: a signal raised on
20 March at 10:00 is overdue from 3 April at 10:00 local time, although a clock change in
between makes that 335 real hours. Where that local time does not exist (the hour skipped in
spring) or exists twice (the hour repeated in autumn), the earlier instant of the two readings
is the cutoff, so a signal is never flagged before its days are over.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

DEFAULT_OVERDUE_DAYS = 14
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def overdue_days(rules=None) -> int:
    """This municipality's ``signal_overdue_days`` rule (the method's default: 14).

    ``rules``: a ``CouncilRules`` read already (the national view reads many municipalities'
    rules in one statement); by default the current schema's.
    """
    if rules is None:
        # Imported here: the councils app reads signal statistics too, and the two must not
        # import each other at module load.
        from tenants.councils.rules import current_rules

        rules = current_rules()
    return rules.signal_overdue_days or DEFAULT_OVERDUE_DAYS


def days_before(moment: datetime, days: int) -> datetime:
    """The instant ``days`` calendar days before ``moment`` at the same Amsterdam clock time (UTC)."""
    if timezone.is_naive(moment):
        raise ValueError("deadlines need aware datetimes; a naive one has no instant")
    wall = moment.astimezone(AMSTERDAM).replace(tzinfo=None) - timedelta(days=days)
    # Aware datetimes in one zone compare by wall clock, ignoring fold: compare in UTC.
    return min(wall.replace(tzinfo=AMSTERDAM, fold=fold).astimezone(UTC) for fold in (0, 1))


def overdue_cutoff(now: datetime | None = None, *, rules=None) -> datetime:
    """Signals waiting for an answer since before this instant are overdue."""
    return days_before(now or timezone.now(), overdue_days(rules))
