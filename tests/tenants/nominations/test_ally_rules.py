"""Importing a list or merging a match never makes an ally break the hard rules of the method."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from tenants.networkmap.models import KeyFigure
from tenants.nominations.comparison import compare_lists
from tenants.nominations.importing import do_import_nominations
from tenants.nominations.merging import do_confirm_match
from tenants.nominations.models import NominationEntry
from tests.helpers import assert_error, assert_raises_code
from tests.tenants.nominations.conftest import csv_bytes, row

AMERSFOORT = "GM0307"


def _import(rows, user, source="municipality"):
    return do_import_nominations(
        io.BytesIO(csv_bytes(rows)), filename=f"{source}.csv", source=source, acting_user=user
    )


def _make_ally(**lookup) -> KeyFigure:
    KeyFigure.objects.filter(**lookup).update(is_ally=True)
    return KeyFigure.objects.get(**lookup)


def test_a_list_cannot_mark_an_ally_on_the_map_as_professional(city_map, people):
    ally = KeyFigure.objects.create(
        first_name="Samira", last_name="Haddou", mobile="+31611112222", is_ally=True
    )
    rows = [
        row("Samira", "Haddou", mobile="0611112222", professional="ja"),  # line 2: the ally
        row("Kees", "Kok", mobile="0633334444"),  # line 3: imports as usual
    ]
    report = _import(rows, people.official("utrecht"))

    assert [(e.line, e.column, e.code) for e in report.errors] == [
        (2, "Professionele organisatie", "professional_representative")
    ]
    assert (report.created, report.key_figures_created, report.key_figures_linked) == (1, 1, 0)
    ally.refresh_from_db()
    assert ally.is_ally and not ally.is_professional_representative and not ally.nominated_by_municipality
    assert not NominationEntry.objects.filter(first_name="Samira").exists()
    assert KeyFigure.objects.filter(first_name="Kees").exists()


def test_a_later_import_cannot_mark_an_imported_ally_as_professional(city_map, people):
    official = people.official("utrecht")
    _import([row("Samira", "Haddou", mobile="0611112222"), row("Kees", "Kok")], official)
    ally = _make_ally(first_name="Samira")

    report = _import(
        [row("Samira", "Haddou", mobile="0611112222", professional="ja"), row("Kees", "Kok", wijk="Lombok")],
        official,
    )

    assert [(e.line, e.code) for e in report.errors] == [(2, "professional_representative")]
    assert report.updated == 1  # Kees, on line 3, still imports
    ally.refresh_from_db()
    assert ally.is_ally and not ally.is_professional_representative
    entry = NominationEntry.objects.get(first_name="Samira")
    assert not entry.is_professional_representative  # the row was undone as a whole
    assert KeyFigure.objects.get(first_name="Kees").neighbourhood == city_map["lombok"]


def test_the_same_row_for_someone_who_is_not_an_ally_just_imports(city_map, people):
    KeyFigure.objects.create(first_name="Samira", last_name="Haddou", mobile="+31611112222")
    report = _import(
        [row("Samira", "Haddou", mobile="0611112222", professional="ja")], people.official("utrecht")
    )
    assert report.errors == [] and KeyFigure.objects.get().is_professional_representative


@pytest.fixture
def ally_and_police_record(city_map, people):
    _import([row("Mehmet", "Özdemir")], people.official("utrecht"))
    _import([row("Ozdemir", "Mehmet", professional="ja")], people.police("utrecht"), source="police")
    pair = compare_lists()["ambiguous"][0]
    municipality_id, police_id = pair["municipality"]["key_figure_id"], pair["police"]["key_figure_id"]
    _make_ally(pk=municipality_id)
    return municipality_id, police_id


def test_merging_a_professional_record_into_an_ally_is_refused(ally_and_police_record, people):
    municipality_id, police_id = ally_and_police_record
    before = sorted(NominationEntry.objects.values_list("pk", "key_figure_id"))

    with assert_raises_code("nomination_match_conflict", status=409) as caught:
        do_confirm_match(municipality_id, police_id, acting_user=people.official("utrecht"))

    assert caught.value.fields == {"rule": ["professional_representative"]}
    assert KeyFigure.objects.filter(pk__in=[municipality_id, police_id]).count() == 2
    ally = KeyFigure.objects.get(pk=municipality_id)
    assert ally.is_ally and not ally.is_professional_representative and not ally.nominated_by_police
    assert sorted(NominationEntry.objects.values_list("pk", "key_figure_id")) == before


def test_merging_a_record_that_lives_elsewhere_into_an_ally_is_refused(city_map, people):
    _import([row("Mehmet", "Özdemir")], people.official("utrecht"))
    _import([row("Ozdemir", "Mehmet")], people.police("utrecht"), source="police")
    pair = compare_lists()["ambiguous"][0]
    municipality_id, police_id = pair["municipality"]["key_figure_id"], pair["police"]["key_figure_id"]
    _make_ally(pk=municipality_id)
    KeyFigure.objects.filter(pk=police_id).update(residence_cbs_code=AMERSFOORT)

    with assert_raises_code("nomination_match_conflict") as caught:
        do_confirm_match(municipality_id, police_id, acting_user=people.official("utrecht"))

    assert caught.value.fields == {"rule": ["ally_lives_outside_municipality"]}
    assert KeyFigure.objects.get(pk=municipality_id).residence_cbs_code == ""


def test_the_refused_merge_is_a_409_over_the_api(api, ally_and_police_record, people, utrecht):
    municipality_id, police_id = ally_and_police_record
    connection.set_schema_to_public()
    response = api(people.official("utrecht")).post(
        "/api/v1/nominations/comparison/confirm/",
        {"municipality_key_figure": municipality_id, "police_key_figure": police_id},
        format="json",
    )
    assert_error(response, "nomination_match_conflict", 409)
    with tenant_context(utrecht):
        assert KeyFigure.objects.filter(pk__in=[municipality_id, police_id]).count() == 2
