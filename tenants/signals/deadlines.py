"""When an unanswered signal becomes overdue.

The number of days is a per-municipality rule (``signal_overdue_days``) kept by the councils
app with the other tailor-made settings of the method; 14 days when it has not been set.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

DEFAULT_OVERDUE_DAYS = 14


def overdue_days() -> int:
    """This municipality's ``signal_overdue_days`` rule (the method's default: 14)."""
    # Imported here: the councils app reads signal statistics too, and the two must not
    # import each other at module load.
    from tenants.councils.rules import current_rules

    return current_rules().signal_overdue_days or DEFAULT_OVERDUE_DAYS


def overdue_cutoff(now: datetime | None = None) -> datetime:
    """Signals waiting for an answer since before this instant are overdue."""
    return (now or timezone.now()) - timedelta(days=overdue_days())
