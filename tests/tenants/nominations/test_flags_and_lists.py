"""The comparison and the map give one answer to "who is on which list"."""

from __future__ import annotations

import io

from tenants.networkmap import actions as networkmap_actions
from tenants.networkmap.models import KeyFigure
from tenants.nominations.comparison import compare_lists
from tenants.nominations.importing import do_import_nominations
from tenants.nominations.merging import do_confirm_match
from tests.tenants.nominations.conftest import csv_bytes, row


def _by_hand(user, first, last, **flags):
    return networkmap_actions.do_create_key_figure(
        {"first_name": first, "last_name": last, **flags}, acting_user=user
    )


def _ids(people_list):
    return {p["key_figure_id"] for p in people_list}


def test_key_figures_flagged_by_hand_are_on_the_lists_of_the_comparison(city_map, people):
    official, police = people.official("utrecht"), people.police("utrecht")
    karin = _by_hand(official, "Karin", "Smit", nominated_by_municipality=True, nominated_by_police=True)
    lotte = _by_hand(official, "Lotte", "Bakker", nominated_by_municipality=True)
    youssef = _by_hand(police, "Youssef", "Amrani", nominated_by_police=True)
    _by_hand(official, "Niet", "Genomineerd")  # on the map, on no list
    do_import_nominations(
        io.BytesIO(csv_bytes([row("L.", "Bakker"), row("Sem", "Kok")])),
        filename="p.csv",
        source="police",
        acting_user=police,
    )

    comparison = compare_lists()

    assert _ids(comparison["both"]) == {karin.pk}
    assert _ids(comparison["only_municipality"]) == {lotte.pk}
    assert youssef.pk in _ids(comparison["only_police"])
    assert next(p for p in comparison["both"] if p["key_figure_id"] == karin.pk)["lists"] == [
        "municipality",
        "police",
    ]
    # The map's flags and the comparison agree, person for person.
    on_municipality = _ids(comparison["both"]) | _ids(comparison["only_municipality"])
    on_police = _ids(comparison["both"]) | _ids(comparison["only_police"])
    assert on_municipality == set(
        KeyFigure.objects.filter(nominated_by_municipality=True).values_list("pk", flat=True)
    )
    assert on_police == set(KeyFigure.objects.filter(nominated_by_police=True).values_list("pk", flat=True))

    # A hand-flagged person and an imported one can be proposed and confirmed as one person.
    pair = next(a for a in comparison["ambiguous"] if a["municipality"]["key_figure_id"] == lotte.pk)
    kept = do_confirm_match(lotte.pk, pair["police"]["key_figure_id"], acting_user=official)
    assert kept.nominated_by_municipality and kept.nominated_by_police
    assert kept.pk in _ids(compare_lists()["both"])
