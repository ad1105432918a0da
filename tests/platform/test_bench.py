"""The provisioning bench measures both methods and leaves no schema behind."""

from __future__ import annotations

import pytest
from django.db import connection

from bench.run import render, run

pytestmark = pytest.mark.slow


def bench_schemas() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench\\_%'")
        return {row[0] for row in cursor.fetchall()}


def test_bench_measures_both_methods_and_cleans_up(utrecht) -> None:
    assert bench_schemas() == set()
    timings = run(1)
    assert set(timings) == {"clone", "migrate"}
    assert all(len(values) == 1 and values[0] > 0 for values in timings.values())
    assert bench_schemas() == set()

    table = render(timings, apps=6, migrations=9)
    assert "clone template schema" in table
    assert "create schema + migrate_schemas --schema" in table
    assert f"ratio migrate/clone (medians): {timings['migrate'][0] / timings['clone'][0]:.1f}x" in table
