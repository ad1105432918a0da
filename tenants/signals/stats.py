"""Signal figures for council health and the national view: one aggregate query, no row loops.

Definitions (stable: council health compares them over years):

- ``raised``: signals raised (since ``since``, in the given neighbourhoods).
- ``answered``: of those, signals that got at least one answer.
- ``open``: of those, signals not closed (still being worked on, or answered and not yet closed).
- ``overdue``: of those, signals waiting for an answer for longer than ``signal_overdue_days``.
- ``median_response_hours``: median of first-answer minus raised, in hours; None when nothing
  was answered. Computed by PostgreSQL's ``percentile_cont`` over the stored UTC durations.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from django.db.models import Aggregate, Count, F, FloatField, Func, Q

from tenants.signals.deadlines import overdue_cutoff
from tenants.signals.models import Signal
from tenants.signals.workflow import SignalStatus


class SignalStats(TypedDict):
    raised: int
    answered: int
    open: int
    overdue: int
    median_response_hours: float | None


class Median(Aggregate):
    """PostgreSQL's continuous median; NULLs (unanswered signals) are ignored."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class EpochSeconds(Func):
    """Seconds in an interval; a duration of days counts 86,400 s per day (UTC instants)."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


def signal_stats(*, neighbourhood_ids: list[int] | None = None, since: datetime | None = None) -> SignalStats:
    """Figures of the current municipality's signals, optionally narrowed to neighbourhoods and time."""
    signals = Signal.objects.all()
    if neighbourhood_ids is not None:
        signals = signals.filter(neighbourhood_id__in=neighbourhood_ids)
    if since is not None:
        signals = signals.filter(raised_at__gte=since)
    figures = signals.aggregate(
        raised=Count("pk"),
        answered=Count("pk", filter=Q(first_answered_at__isnull=False)),
        open=Count("pk", filter=~Q(status=SignalStatus.CLOSED)),
        overdue=Count("pk", filter=Q(awaiting_answer_since__lt=overdue_cutoff())),
        median_seconds=Median(EpochSeconds(F("response_time"))),
    )
    return stats_from_figures(**figures)


def stats_from_figures(
    *, raised: int, answered: int, open: int, overdue: int, median_seconds: float | None
) -> SignalStats:
    """The figures as published: the median in hours with two decimals (None: nothing answered).

    The national view aggregates the same counts across municipalities in SQL and publishes
    them through here, so both read the same.
    """
    return SignalStats(
        raised=raised or 0,
        answered=answered or 0,
        open=open or 0,
        overdue=overdue or 0,
        median_response_hours=None if median_seconds is None else round(float(median_seconds) / 3600, 2),
    )
