"""Response time across daylight-saving changes, and overdue flagging by the municipality's rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tenants.councils.rules import current_rules
from tenants.signals import actions
from tenants.signals.deadlines import overdue_cutoff, overdue_days
from tenants.signals.models import Signal

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def raise_at(town, moment: datetime) -> Signal:
    return actions.do_raise_signal(
        category="safety",
        neighbourhood_id=town.neighbourhood.pk,
        description="Hangjongeren bij het winkelcentrum.",
        acting_user=town.ally_user,
        raised_at=moment,
    )


def assign_and_answer(town, people, signal: Signal, moment: datetime | None = None) -> Signal:
    actions.do_assign_signal_owner(
        signal, owner_membership_id=people.membership(town.police).pk, acting_user=town.official
    )
    actions.do_answer_signal(
        signal, body="Wijkagent gaat langs.", acting_user=town.police, answered_at=moment
    )
    signal.refresh_from_db()
    return signal


@pytest.mark.parametrize(
    ("raised", "answered", "hours", "wall_clock_hours"),
    [
        # Last Sunday of March 2026: 02:00 CET becomes 03:00 CEST; one hour less in the night.
        (datetime(2026, 3, 28, 23, 30), datetime(2026, 3, 29, 3, 30), 3, 4),
        # Last Sunday of October 2026: 03:00 CEST becomes 02:00 CET; one hour more in the night.
        (datetime(2026, 10, 24, 23, 30), datetime(2026, 10, 25, 3, 30), 5, 4),
    ],
)
def test_response_time_across_clock_changes(town, people, raised, answered, hours, wall_clock_hours):
    raised = raised.replace(tzinfo=AMSTERDAM)
    answered = answered.replace(tzinfo=AMSTERDAM)
    # The trap: Python subtracts two datetimes with the same tzinfo by wall clock.
    assert answered - raised == timedelta(hours=wall_clock_hours)

    signal = assign_and_answer(town, people, raise_at(town, raised), answered)

    assert signal.response_time == timedelta(hours=hours)
    assert signal.raised_at == raised and signal.first_answered_at == answered
    assert signal.raised_at.utcoffset() == timedelta(0)  # stored and read back in UTC
    # The database agrees with the stored duration (timestamptz arithmetic is in UTC too).
    assert Signal.objects.filter(pk=signal.pk, response_time=timedelta(hours=hours)).exists()


def test_later_answers_do_not_change_the_response_time(town, people):
    raised = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    signal = assign_and_answer(town, people, raise_at(town, raised), raised + timedelta(hours=2))
    actions.do_answer_signal(
        signal, body="Aanvulling.", acting_user=town.official, answered_at=raised + timedelta(days=3)
    )
    signal.refresh_from_db()
    assert signal.response_time == timedelta(hours=2)
    assert [a.body for a in signal.answers.all()] == ["Wijkagent gaat langs.", "Aanvulling."]


def test_naive_datetimes_are_refused(town):
    with pytest.raises(ValueError):
        raise_at(town, datetime(2026, 3, 28, 23, 30))


def test_overdue_after_the_municipalitys_days(town, people):
    now = timezone.now()
    assert overdue_days() == 14  # the method's default
    late = raise_at(town, now - timedelta(days=15))
    recent = raise_at(town, now - timedelta(days=13))
    answered_late = assign_and_answer(town, people, raise_at(town, now - timedelta(days=30)))

    overdue = set(Signal.objects.overdue(cutoff=overdue_cutoff()).values_list("pk", flat=True))
    assert overdue == {late.pk}
    flags = dict(Signal.objects.with_overdue_flag(cutoff=overdue_cutoff()).values_list("pk", "is_overdue"))
    assert flags == {late.pk: True, recent.pk: False, answered_late.pk: False}

    # Maatwerk: this municipality gives itself 10 days; now the 13-day-old signal is overdue too.
    rules = current_rules()
    rules.signal_overdue_days = 10
    rules.save()
    assert set(Signal.objects.overdue(cutoff=overdue_cutoff()).values_list("pk", flat=True)) == {
        late.pk,
        recent.pk,
    }


def test_a_reopened_signal_waits_again_from_the_reopen(town, people):
    now = timezone.now()
    signal = assign_and_answer(
        town, people, raise_at(town, now - timedelta(days=40)), now - timedelta(days=39)
    )
    actions.do_reopen_signal(signal, acting_user=town.ally_user, reopened_at=now - timedelta(days=20))
    assert Signal.objects.overdue(cutoff=overdue_cutoff()).filter(pk=signal.pk).exists()
    actions.do_answer_signal(signal, body="Tweede antwoord.", acting_user=town.police)
    assert not Signal.objects.overdue(cutoff=overdue_cutoff()).filter(pk=signal.pk).exists()
    signal.refresh_from_db()
    assert signal.response_time == timedelta(days=1)  # the first answer's, kept


@pytest.mark.parametrize(
    ("raised", "now", "overdue"),
    [
        # Spring forward in between: 14 calendar days are 335 real hours.
        (datetime(2026, 3, 20, 10, 0), datetime(2026, 4, 3, 9, 59), False),
        (datetime(2026, 3, 20, 10, 0), datetime(2026, 4, 3, 10, 30), True),  # 24-hour days: not yet
        # Fall back in between: 14 calendar days are 337 real hours.
        (datetime(2026, 10, 20, 10, 0), datetime(2026, 11, 3, 9, 30), False),  # 24-hour days: already
        (datetime(2026, 10, 20, 10, 0), datetime(2026, 11, 3, 10, 1), True),
        # No clock change: the same either way.
        (datetime(2026, 5, 4, 23, 30), datetime(2026, 5, 18, 23, 29), False),
        (datetime(2026, 5, 4, 23, 30), datetime(2026, 5, 18, 23, 31), True),
    ],
)
def test_overdue_after_calendar_days_in_amsterdam(town, raised, now, overdue):
    raised = raised.replace(tzinfo=AMSTERDAM)
    now = now.replace(tzinfo=AMSTERDAM).astimezone(UTC)  # as timezone.now() gives it
    signal = raise_at(town, raised)
    cutoff = overdue_cutoff(now)
    assert Signal.objects.overdue(cutoff=cutoff).filter(pk=signal.pk).exists() is overdue
    flags = dict(Signal.objects.with_overdue_flag(cutoff=cutoff).values_list("pk", "is_overdue"))
    assert flags[signal.pk] is overdue


def at(*args: int) -> datetime:
    """An Amsterdam wall-clock time as the UTC instant ``timezone.now()`` would give."""
    return datetime(*args, tzinfo=AMSTERDAM).astimezone(UTC)


def test_the_cutoff_is_the_same_local_time_n_days_earlier(town):
    # 3 April 10:30 CEST → 20 March 10:30 CET, i.e. 09:30 UTC (not 08:30 UTC, 14 times 24 h earlier).
    assert overdue_cutoff(at(2026, 4, 3, 10, 30)) == datetime(2026, 3, 20, 9, 30, tzinfo=UTC)
    # The skipped hour (29 March 02:00-03:00 does not exist): never later than the clock change.
    assert overdue_cutoff(at(2026, 4, 12, 2, 30)) <= datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    # The repeated hour (25 October 02:00-03:00 twice): the earlier reading, 02:30 CEST.
    assert overdue_cutoff(at(2026, 11, 8, 2, 30)) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    with pytest.raises(ValueError):
        overdue_cutoff(datetime(2026, 4, 3, 10, 30))
