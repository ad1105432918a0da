"""The signals demo: a believable history through the actions, idempotent, nothing without allies."""

from __future__ import annotations

from agora.accounts.actors import current_municipality
from agora.audit.models import AuditEvent
from tenants.signals.demo import NOTICE_TITLE, load_demo
from tenants.signals.models import Notice, Signal
from tenants.signals.stats import signal_stats
from tests.tenants.signals.conftest import make_council, make_key_figure


def staff_of(people) -> dict:
    return {
        "official": people.official("utrecht"),
        "police": people.police("utrecht"),
        "official2": people.official("utrecht", "2"),
        "police2": people.police("utrecht", "2"),
    }


def test_no_allies_no_demo(in_utrecht, people):
    load_demo(in_utrecht, staff_of(people))
    assert not Signal.objects.exists() and not Notice.objects.exists()


def test_demo_history_and_idempotence(town, people):
    third = make_key_figure("Samira", neighbourhood=town.neighbourhood)
    make_council(people, [town.ally, town.other_ally, third])
    staff = staff_of(people)

    load_demo(current_municipality(), staff)
    stats = signal_stats()
    assert stats["raised"] == 6
    assert stats["overdue"] == 1
    assert stats["answered"] == 4
    assert stats["open"] == 4  # two were closed
    assert stats["median_response_hours"] is not None
    response_times = sorted(
        int(rt.total_seconds() // 3600)
        for rt in Signal.objects.exclude(response_time=None).values_list("response_time", flat=True)
    )
    assert response_times == [3, 5, 26, 52]
    # Allies with a login raised and reopened in their own name; staff noted one down for Samira.
    assert AuditEvent.objects.filter(action="signal.reopened").count() == 1
    on_behalf = Signal.objects.get(ally=third)
    assert on_behalf.raised_by == staff["official"]
    assert set(Signal.objects.exclude(ally=third).values_list("raised_by", flat=True)) == set(
        Signal.objects.exclude(ally=third).values_list("ally__user", flat=True)
    )

    notice = Notice.objects.get(title=NOTICE_TITLE)
    receipts = list(notice.recipients.values_list("read_at", flat=True))
    assert len(receipts) == 3
    assert 0 < sum(read is not None for read in receipts) < 3

    load_demo(current_municipality(), staff)
    assert Signal.objects.count() == 6 and Notice.objects.count() == 1


def test_demo_response_times_are_exact_across_a_dst_change(town, people, monkeypatch):
    """Raised 24 October 2025 at 20:15, answered 52 hours later: the clocks went back on the 26th.
    Adding hours to an Amsterdam datetime is wall-clock arithmetic (53 real hours); the suite failed
    whenever the demo's 52-hour signal spanned the change."""
    import datetime as dt
    import types

    fixed_now = dt.datetime(2025, 12, 3, 12, 0, tzinfo=dt.UTC)
    monkeypatch.setattr("tenants.signals.demo.timezone", types.SimpleNamespace(now=lambda: fixed_now))
    third = make_key_figure("Samira", neighbourhood=town.neighbourhood)
    make_council(people, [town.ally, town.other_ally, third])

    load_demo(current_municipality(), staff_of(people))

    response_times = sorted(
        rt.total_seconds() / 3600
        for rt in Signal.objects.exclude(response_time=None).values_list("response_time", flat=True)
    )
    assert response_times == [3, 5, 26, 52]
