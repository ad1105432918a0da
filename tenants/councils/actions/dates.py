"""Dates and times the council actions accept: Amsterdam wall-clock time, inside a sane window.

A naive datetime from a form or a client is read as Amsterdam time (the councils meet in the
Netherlands); a date outside 1990-01-01 .. today + 5 years is a typing error or a probe
(9999-12-31 once overflowed the schedule) and is refused with ``date_out_of_range``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone

from tenants.councils import errors

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")

# Dates outside this window are typing errors (or probes): 9999-12-31 overflowed the schedule.
EARLIEST_DATE = dt.date(1990, 1, 1)
MAX_YEARS_AHEAD = 5

_FIELD_LABELS = {
    "started_on": ("startdatum", "started_on"),
    "joined_on": ("datum van toetreden", "joined_on"),
    "left_on": ("datum van vertrek", "left_on"),
    "starts_at": ("begintijd", "starts_at"),
    "ends_at": ("eindtijd", "ends_at"),
}


def today() -> dt.date:
    return timezone.localdate()


def as_amsterdam(value: dt.datetime | None) -> dt.datetime | None:
    """Aware datetimes as given; naive ones are read as Amsterdam wall-clock time."""
    if value is None:
        return None
    if timezone.is_naive(value):
        return timezone.make_aware(value, AMSTERDAM)
    return value


def latest_date(today_: dt.date | None = None) -> dt.date:
    """The last date an action accepts: five years from today (28 February for a 29th)."""
    day = today_ or today()
    try:
        return day.replace(year=day.year + MAX_YEARS_AHEAD)
    except ValueError:  # 29 February
        return day.replace(year=day.year + MAX_YEARS_AHEAD, day=28)


def check_date(value: dt.date | dt.datetime | None, field_name: str) -> None:
    """Refuse a date (or a datetime's own calendar day) outside 1990-01-01 .. today + 5 years."""
    if value is None:
        return
    day = value.date() if isinstance(value, dt.datetime) else value
    latest = latest_date()
    if not EARLIEST_DATE <= day <= latest:
        label_nl, label_en = _FIELD_LABELS[field_name]
        raise errors.DATE_OUT_OF_RANGE(
            field_nl=label_nl.capitalize(),
            field_en=label_en,
            earliest=EARLIEST_DATE.isoformat(),
            latest=latest.isoformat(),
            fields={field_name: ["date_out_of_range"]},
        )
