"""Comparing the two lists, and the actions that confirm or reject a candidate match."""

from __future__ import annotations

import io

import pytest

from agora.audit.models import AuditEvent
from tenants.networkmap.models import KeyFigure
from tenants.nominations.comparison import compare_lists
from tenants.nominations.importing import do_import_nominations
from tenants.nominations.merging import do_confirm_match, do_reject_match
from tenants.nominations.models import NominationEntry, RejectedMatch
from tests.helpers import assert_raises_code
from tests.tenants.nominations.conftest import csv_bytes, row

MUNICIPALITY = [
    row("Jan", "Berg", infix="van der", mobile="06-12345678"),  # police: +31 6 1234 5678 → both
    row("Anouk", "Visser", email="anouk@example.nl"),  # police: ANOUK@example.nl → both
    row("Mehmet", "Özdemir"),  # police: "Ozdemir" / "Mehmet" swapped, no phone → ambiguous
    row("Pieter", "Dijkstra", infix="van", mobile="0031687654321"),  # police: other phone → ambiguous
    row("Lotte", "Vries", infix="de"),  # police: Sanne de Vries → different person
    row("Gerrit", "Bos", wijk="Lombok"),  # only municipality
]
POLICE = [
    row("J.", "Berg", infix="v.d.", mobile="+31 6 1234 5678"),
    row("Anouk", "Visser", email="ANOUK@example.nl"),
    row("Ozdemir", "Mehmet"),
    row("P.", "Dijkstra", infix="v.", mobile="06-11223344"),
    row("Sanne", "Vries", infix="de"),
    row("Youssef", "Amrani"),  # only police
]


@pytest.fixture
def both_lists(city_map, people):
    official, police = people.official("utrecht"), people.police("utrecht")
    do_import_nominations(
        io.BytesIO(csv_bytes(MUNICIPALITY)), filename="g.csv", source="municipality", acting_user=official
    )
    do_import_nominations(
        io.BytesIO(csv_bytes(POLICE)), filename="p.csv", source="police", acting_user=police
    )
    return {"official": official, "police": police}


def _names(people_list):
    return sorted(p["name"] for p in people_list)


def _pair(comparison, municipality_last_name):
    return next(
        a for a in comparison["ambiguous"] if a["municipality"]["last_name"] == municipality_last_name
    )


def test_the_comparison_shows_both_only_one_and_ambiguous(both_lists):
    comparison = compare_lists()

    assert _names(comparison["both"]) == ["Anouk Visser", "Jan van der Berg"]
    assert _names(comparison["only_municipality"]) == [
        "Gerrit Bos",
        "Lotte de Vries",
        "Mehmet Özdemir",
        "Pieter van Dijkstra",
    ]
    assert _names(comparison["only_police"]) == [
        "Ozdemir Mehmet",
        "P. v. Dijkstra",
        "Sanne de Vries",
        "Youssef Amrani",
    ]
    pairs = {(a["municipality"]["name"], a["police"]["name"]) for a in comparison["ambiguous"]}
    assert pairs == {("Mehmet Özdemir", "Ozdemir Mehmet"), ("Pieter van Dijkstra", "P. v. Dijkstra")}
    ozdemir = _pair(comparison, "Özdemir")
    assert ozdemir["score"] >= 95 and (ozdemir["phone"], ozdemir["email"]) == ("missing", "missing")
    dijkstra = _pair(comparison, "Dijkstra")
    assert dijkstra["phone"] == "different"
    assert comparison["counts"] == {"both": 2, "only_municipality": 4, "only_police": 4, "ambiguous": 2}
    jan = next(p for p in comparison["both"] if p["last_name"] == "Berg")
    assert jan["mobile"] == "+31612345678" and jan["lists"] == ["municipality", "police"]


def test_ambiguous_candidates_are_never_merged(both_lists):
    key_figures = KeyFigure.objects.count()
    compare_lists()
    compare_lists()
    assert KeyFigure.objects.count() == key_figures == 10
    assert KeyFigure.objects.filter(last_name__in=["Özdemir", "Mehmet"]).count() == 2
    assert not KeyFigure.objects.filter(
        last_name__in=["Özdemir", "Mehmet"], nominated_by_municipality=True, nominated_by_police=True
    ).exists()


def test_confirming_a_match_merges_into_one_key_figure_on_both_lists(both_lists):
    pair = _pair(compare_lists(), "Özdemir")
    municipality_id, police_id = pair["municipality"]["key_figure_id"], pair["police"]["key_figure_id"]
    KeyFigure.objects.filter(pk=police_id).update(
        email="mehmet@example.nl", influence_notes="Politie: kent hem"
    )

    kept = do_confirm_match(municipality_id, police_id, acting_user=both_lists["official"])

    assert kept.pk == min(municipality_id, police_id)
    assert not KeyFigure.objects.filter(pk=max(municipality_id, police_id)).exists()
    kept.refresh_from_db()
    assert kept.nominated_by_municipality and kept.nominated_by_police
    assert (kept.first_name, kept.last_name) == ("Mehmet", "Özdemir")  # the kept record's name
    assert kept.email == "mehmet@example.nl" and "Politie: kent hem" in kept.influence_notes
    assert sorted(kept.nomination_entries.values_list("source", flat=True)) == ["municipality", "police"]
    assert NominationEntry.objects.count() == 12  # both lists' entries are kept
    comparison = compare_lists()
    assert "Mehmet Özdemir" in _names(comparison["both"])
    assert all(a["municipality"]["last_name"] != "Özdemir" for a in comparison["ambiguous"])
    event = AuditEvent.objects.get(action="nominations.match_confirmed")
    assert event.actor_id == both_lists["official"].pk and event.detail["absorbed"] == police_id


def test_a_confirmed_match_survives_the_next_import(both_lists):
    pair = _pair(compare_lists(), "Özdemir")
    do_confirm_match(
        pair["municipality"]["key_figure_id"],
        pair["police"]["key_figure_id"],
        acting_user=both_lists["police"],
    )
    report = do_import_nominations(
        io.BytesIO(csv_bytes(POLICE)), filename="p.csv", source="police", acting_user=both_lists["police"]
    )
    assert (report.created, report.updated, report.key_figures_created) == (0, 0, 0)
    assert KeyFigure.objects.count() == 9


def test_rejecting_a_match_is_remembered(both_lists):
    pair = _pair(compare_lists(), "Dijkstra")
    municipality_id, police_id = pair["municipality"]["key_figure_id"], pair["police"]["key_figure_id"]

    rejection = do_reject_match(municipality_id, police_id, acting_user=both_lists["police"], reason="broers")
    again = do_reject_match(municipality_id, police_id, acting_user=both_lists["police"])

    assert rejection.pk == again.pk and RejectedMatch.objects.count() == 1
    assert rejection.score == pair["score"] and rejection.reason == "broers"
    comparison = compare_lists()
    assert all(a["municipality"]["key_figure_id"] != municipality_id for a in comparison["ambiguous"])
    assert comparison["counts"]["ambiguous"] == 1
    assert KeyFigure.objects.filter(pk__in=[municipality_id, police_id]).count() == 2
    assert AuditEvent.objects.filter(action="nominations.match_rejected").count() == 1


def test_only_a_municipality_police_pair_can_be_matched(both_lists):
    comparison = compare_lists()
    municipality_only = [p["key_figure_id"] for p in comparison["only_municipality"]]
    police_only = [p["key_figure_id"] for p in comparison["only_police"]]
    for first, second in [
        (municipality_only[0], municipality_only[1]),  # both municipality
        (police_only[0], municipality_only[0]),  # the wrong way round
        (municipality_only[0], municipality_only[0]),  # the same one
    ]:
        with assert_raises_code("nomination_match_invalid"):
            do_confirm_match(first, second, acting_user=both_lists["official"])
    with assert_raises_code("not_found"):
        do_reject_match(municipality_only[0], 999_999, acting_user=both_lists["official"])
    assert KeyFigure.objects.count() == 10


def test_confirming_moves_what_other_parts_hold_on_the_absorbed_record(both_lists):
    from tenants.selection.models import SelectionCase

    pair = _pair(compare_lists(), "Özdemir")
    municipality_id, police_id = pair["municipality"]["key_figure_id"], pair["police"]["key_figure_id"]
    case = SelectionCase.objects.create(key_figure_id=police_id, opened_by=both_lists["police"])

    kept = do_confirm_match(municipality_id, police_id, acting_user=both_lists["official"])

    case.refresh_from_db()
    assert case.key_figure_id == kept.pk == municipality_id


def test_a_merge_that_would_break_another_rule_is_refused_and_changes_nothing(both_lists):
    from tenants.selection.models import SelectionCase

    pair = _pair(compare_lists(), "Özdemir")
    municipality_id, police_id = pair["municipality"]["key_figure_id"], pair["police"]["key_figure_id"]
    for pk in (municipality_id, police_id):  # both already in an open selection case
        SelectionCase.objects.create(key_figure_id=pk, opened_by=both_lists["police"])
    before = sorted(NominationEntry.objects.values_list("pk", "key_figure_id"))

    with assert_raises_code("nomination_match_conflict", status=409):
        do_confirm_match(municipality_id, police_id, acting_user=both_lists["official"])

    assert KeyFigure.objects.filter(pk__in=[municipality_id, police_id]).count() == 2
    assert sorted(NominationEntry.objects.values_list("pk", "key_figure_id")) == before
    assert not KeyFigure.objects.get(pk=municipality_id).nominated_by_police
