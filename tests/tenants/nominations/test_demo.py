"""The demo lists load through the real import and give the comparison every case, idempotently."""

from __future__ import annotations

from tenants.networkmap.models import KeyFigure
from tenants.nominations.comparison import compare_lists
from tenants.nominations.demo import load_demo
from tenants.nominations.models import ImportRun


def test_demo_lists_cover_every_comparison_case_and_load_once(city_map, people, utrecht):
    staff = {"official": people.official("utrecht"), "police": people.police("utrecht")}
    load_demo(utrecht, staff)
    comparison = compare_lists()
    counts = comparison["counts"]
    assert counts["both"] == 2 and counts["only_municipality"] >= 1 and counts["only_police"] >= 1
    assert counts["ambiguous"] == 2
    key_figures, runs = KeyFigure.objects.count(), ImportRun.objects.count()

    load_demo(utrecht, staff)

    assert (KeyFigure.objects.count(), ImportRun.objects.count()) == (key_figures, runs) == (8, 2)
