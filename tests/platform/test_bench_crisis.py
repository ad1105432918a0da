"""The crisis bench runs at a tiny size (real daphne processes, a Redis of its own, the floor) and
prints its table; every delivery it measured arrived, and each number is a real measurement."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings

from bench import crisis, crisis_world

pytestmark = [
    pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS)),
    pytest.mark.slow,
]


@pytest.fixture
def world(db):
    built = crisis_world.build(slug=f"cb-{uuid.uuid4().hex[:8]}", room_clients=3, councils=3)
    yield built
    crisis_world.end_sessions(built)
    crisis_world.drop(built)


def test_crisis_bench_quick(world, tmp_path) -> None:
    results = crisis.run(world, (3,), 2, 2, tmp_path)
    assert [(r.setup, r.clients) for r in results.runs] == [
        ("floor", 3),
        ("durable", 3),
        ("one", 3),
        ("two", 3),
    ]
    assert results.durable_stored == 3 + 2  # the durable floor committed every post (warm-up too)
    for run in results.runs:
        # Every client (the writer too) got every timed post, and the memory was measured.
        assert len(run.latencies) == 2 * 3 and run.lost == 0, run
        assert all(0 < t < 30 for t in run.latencies)
        assert run.rss_per_socket != 0
    assert len(results.redis_rtt) == 50 and len(results.commit_rtt) == 50
    assert len(results.declaration) == 2 and all(0 < t < 30 for t in results.declaration)
    assert results.burst_councils == 2 and 0 < results.burst_answered <= results.burst_notified
    table = crisis.render(results)
    assert "p99/floor" in table.splitlines()[2] and "p99/durable" in table.splitlines()[2]
    labels = ("floor (bare websockets)", "durable floor (stores posts)", "agora, 1 daphne (in-memory)")
    for label in (*labels, "agora, 2 daphne (redis)"):
        assert sum(label in line for line in table.splitlines()) == 1
    assert "two processes vs one" in table and "2 councils declared at once" in table
    assert "Redis publish/subscribe round trip" in table
