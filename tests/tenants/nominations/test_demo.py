"""The demo lists load through the real import and give the comparison every case, idempotently."""

from __future__ import annotations

from tenants.networkmap.models import Community, CommunityKind, KeyFigure, Neighbourhood
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


def test_a_restart_ignores_what_staff_entered_since(people, utrecht, in_utrecht):
    """A neighbourhood named with a control character (the map accepts one) used to sort into the
    demo's lists; the import refused the file (nomination_file_unreadable) and the demo crashed."""
    from tenants.networkmap.demo import load_demo as load_networkmap_demo

    staff = {
        "official": people.official("utrecht"),
        "police": people.police("utrecht"),
        "official2": people.official("utrecht", "2"),
        "police2": people.police("utrecht", "2"),
    }
    load_networkmap_demo(utrecht, staff)
    load_demo(utrecht, staff)
    runs = list(ImportRun.objects.order_by("pk").values_list("pk", "checksum"))
    assert len(runs) == 2
    Neighbourhood.objects.create(name="\x01\x01\x01 Aaa-wijk")
    Neighbourhood.objects.create(name="Aaa-dorp")
    Community.objects.create(kind=CommunityKind.GROUP, name="Aaa-vereniging")

    load_demo(utrecht, staff)  # the restart

    assert list(ImportRun.objects.order_by("pk").values_list("pk", "checksum")) == runs
    assert not KeyFigure.objects.filter(neighbourhood__name__startswith="Aaa").exists()
    assert not KeyFigure.objects.filter(neighbourhood__name__startswith="\x01").exists()
