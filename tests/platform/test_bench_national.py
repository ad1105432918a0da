"""The national bench runs (two small sizes, in the test database, all rolled back) and prints its table."""

from __future__ import annotations

import pytest

from bench.national import feed_overhead, render, run

pytestmark = pytest.mark.slow


def test_national_bench_quick(utrecht) -> None:
    steps = run((2, 3), 1)
    assert [s.tenants for s in steps] == [2, 3]
    assert all(s.view and s.loop and s.provision for s in steps)
    assert steps[0].statements == steps[1].statements
    table = render(steps)
    assert "| municipalities | statements | full view ms | naive loop ms |" in table
    assert "faster than the loop" in table


def test_feed_overhead_measures_both_clones(utrecht) -> None:
    with_feed, without = feed_overhead(1)
    assert with_feed > 0 and without > 0
