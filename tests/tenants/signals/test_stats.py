"""``signal_stats``: the figures council health reads, from one aggregate query."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenants.networkmap.models import Neighbourhood
from tenants.signals import actions
from tenants.signals.stats import signal_stats


def make_signals(town, people):
    """Four signals in two neighbourhoods: answered after 2 h and 10 h, one open, one overdue."""
    now = timezone.now()
    other = Neighbourhood.objects.create(name="Lunetten")
    owner = people.membership(town.police).pk

    def raise_(days_ago: float, neighbourhood, answer_after: timedelta | None = None, close=False):
        raised = now - timedelta(days=days_ago)
        signal = actions.do_raise_signal(
            category="other",
            neighbourhood_id=neighbourhood.pk,
            description="Iets in de wijk.",
            acting_user=town.ally_user,
            raised_at=raised,
        )
        if answer_after is not None:
            actions.do_assign_signal_owner(signal, owner_membership_id=owner, acting_user=town.official)
            actions.do_answer_signal(
                signal, body="Antwoord.", acting_user=town.police, answered_at=raised + answer_after
            )
            if close:
                actions.do_close_signal(signal, acting_user=town.official)
        return signal

    raise_(60, town.neighbourhood, timedelta(hours=2), close=True)
    raise_(30, other, timedelta(hours=10))
    raise_(20, town.neighbourhood)  # overdue (14 days by default)
    raise_(1, other)  # open, not overdue
    return other


def test_keys_and_values(town, people):
    assert signal_stats() == {
        "raised": 0,
        "answered": 0,
        "open": 0,
        "overdue": 0,
        "median_response_hours": None,
    }
    other = make_signals(town, people)
    with CaptureQueriesContext(connection) as queries:
        stats = signal_stats()
    assert stats == {"raised": 4, "answered": 2, "open": 3, "overdue": 1, "median_response_hours": 6.0}
    # One aggregate over the signals (plus at most the rules lookup), not a loop over rows.
    signal_queries = [q["sql"] for q in queries.captured_queries if "signals_signal" in q["sql"]]
    assert len(signal_queries) == 1 and "percentile_cont" in signal_queries[0]

    assert signal_stats(neighbourhood_ids=[town.neighbourhood.pk]) == {
        "raised": 2,
        "answered": 1,
        "open": 1,
        "overdue": 1,
        "median_response_hours": 2.0,
    }
    assert signal_stats(neighbourhood_ids=[other.pk], since=timezone.now() - timedelta(days=7)) == {
        "raised": 1,
        "answered": 0,
        "open": 1,
        "overdue": 0,
        "median_response_hours": None,
    }
    assert signal_stats(neighbourhood_ids=[])["raised"] == 0
