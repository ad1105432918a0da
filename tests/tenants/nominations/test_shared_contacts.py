"""A shared phone or e-mail alone never merges two people: the name has to agree too."""

from __future__ import annotations

import io

from tenants.networkmap.models import KeyFigure
from tenants.nominations.comparison import compare_lists
from tenants.nominations.importing import do_import_nominations
from tenants.nominations.models import NominationEntry
from tests.tenants.nominations.conftest import csv_bytes, row


def _import(rows, user, source):
    return do_import_nominations(
        io.BytesIO(csv_bytes(rows)), filename=f"{source}.csv", source=source, acting_user=user
    )


def _pair(comparison, first_name):
    return next(a for a in comparison["ambiguous"] if a["municipality"]["first_name"] == first_name)


def test_a_shared_phone_with_another_name_is_two_people_shown_as_ambiguous(city_map, people):
    _import([row("Fatima", "Yilmaz", mobile="0612345678")], people.official("utrecht"), "municipality")
    report = _import([row("Ahmet", "Yilmaz", mobile="+31 6 1234 5678")], people.police("utrecht"), "police")

    assert (report.key_figures_created, report.key_figures_linked) == (1, 0)
    fatima = KeyFigure.objects.get(first_name="Fatima")
    ahmet = KeyFigure.objects.get(first_name="Ahmet")
    assert (fatima.nominated_by_municipality, fatima.nominated_by_police) == (True, False)
    assert (ahmet.nominated_by_municipality, ahmet.nominated_by_police) == (False, True)
    assert ahmet.mobile == fatima.mobile == "+31612345678"
    comparison = compare_lists()
    assert comparison["both"] == []
    pair = _pair(comparison, "Fatima")
    assert pair["police"]["key_figure_id"] == ahmet.pk
    assert (pair["phone"], pair["email"]) == ("same", "missing")


def test_a_shared_info_address_with_another_name_is_two_people_shown_as_ambiguous(city_map, people):
    _import([row("Jan", "Jansen", email="info@moskee.nl")], people.official("utrecht"), "municipality")
    _import([row("Mohamed", "Bakkali", email="Info@Moskee.nl")], people.police("utrecht"), "police")

    assert KeyFigure.objects.count() == 2
    jan, mohamed = KeyFigure.objects.get(first_name="Jan"), KeyFigure.objects.get(first_name="Mohamed")
    assert jan.last_name == "Jansen" and not jan.nominated_by_police
    assert mohamed.last_name == "Bakkali" and not mohamed.nominated_by_municipality
    pair = _pair(compare_lists(), "Jan")
    assert pair["police"]["key_figure_id"] == mohamed.pk
    assert (pair["phone"], pair["email"]) == ("missing", "same")


def test_a_shared_phone_with_an_agreeing_name_still_links(city_map, people):
    _import([row("Fatima", "Yilmaz", mobile="0612345678")], people.official("utrecht"), "municipality")
    report = _import([row("F.", "Yilmaz", mobile="+31 6 1234 5678")], people.police("utrecht"), "police")

    assert (report.key_figures_created, report.key_figures_linked) == (0, 1)
    fatima = KeyFigure.objects.get()
    assert fatima.nominated_by_municipality and fatima.nominated_by_police
    assert compare_lists()["counts"]["both"] == 1


def test_two_people_sharing_a_phone_on_one_list_are_two_entries(city_map, people):
    rows = [row("Fatima", "Yilmaz", mobile="0612345678"), row("Ahmet", "Yilmaz", mobile="0612345678")]
    first = _import(rows, people.official("utrecht"), "municipality")
    again = _import(rows, people.official("utrecht"), "municipality")

    assert (first.created, first.error_count, first.key_figures_created) == (2, 0, 2)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert sorted(NominationEntry.objects.values_list("first_name", flat=True)) == ["Ahmet", "Fatima"]
    assert KeyFigure.objects.count() == 2
