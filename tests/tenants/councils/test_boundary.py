"""The boundary rule: a council, its scope, its members and its leads belong to one municipality.

Ids of another municipality's rows are used on Utrecht's host: they do not exist in Utrecht's
schema, so the service refuses them with ``council_crosses_boundary`` and nothing of
Amersfoort's data appears in the answer.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from tenants.councils.models import Council
from tenants.networkmap.models import KeyFigure, Neighbourhood
from tests.helpers import assert_error
from tests.tenants.councils.conftest import foreign_id

pytestmark = pytest.mark.django_db


def _payload(staff, **extra) -> dict:
    return {
        "name": "Overleg Noordwest",
        "municipal_lead": staff.m_official.pk,
        "police_lead": staff.m_police.pk,
        **extra,
    }


def test_neighbourhood_of_another_municipality_is_refused(api, staff, utrecht, amersfoort, in_utrecht):
    foreign = foreign_id(Neighbourhood, amersfoort, utrecht, name="Vathorst-geheim")
    response = api(staff.official).post(
        "/api/v1/councils/",
        _payload(staff, covers_whole_municipality=False, neighbourhoods=[foreign]),
        format="json",
    )
    body = assert_error(response, "council_crosses_boundary", 400)
    assert body["fields"]["neighbourhoods"] == [foreign]
    assert "Vathorst" not in json.dumps(body)
    connection.set_tenant(in_utrecht)
    assert not Council.objects.exists()


def test_scope_spanning_two_municipalities_is_refused(
    api, staff, utrecht, amersfoort, in_utrecht, neighbourhood
):
    own = neighbourhood("Overvecht")
    foreign = foreign_id(Neighbourhood, amersfoort, utrecht, name="Kattenbroek-geheim")
    response = api(staff.official).post(
        "/api/v1/councils/",
        _payload(staff, covers_whole_municipality=False, neighbourhoods=[own.pk, foreign]),
        format="json",
    )
    body = assert_error(response, "council_crosses_boundary", 400)
    assert body["fields"]["neighbourhoods"] == [foreign]
    assert "Kattenbroek" not in json.dumps(body)
    connection.set_tenant(in_utrecht)
    assert not Council.objects.exists()


def test_changing_scope_to_another_municipality_is_refused(
    api, staff, utrecht, amersfoort, make_council, neighbourhood, in_utrecht
):
    own = neighbourhood("Zuilen")
    council = make_council(covers_whole_municipality=False, neighbourhood_ids=[own.pk])
    foreign = foreign_id(Neighbourhood, amersfoort, utrecht, name="Nieuwland")
    response = api(staff.official).patch(
        f"/api/v1/councils/{council.pk}/", {"neighbourhoods": [own.pk, foreign]}, format="json"
    )
    assert_error(response, "council_crosses_boundary", 400)
    connection.set_tenant(in_utrecht)
    assert list(council.neighbourhoods.values_list("pk", flat=True)) == [own.pk]


def test_key_figure_of_another_municipality_is_refused(
    api, staff, utrecht, amersfoort, make_council, in_utrecht
):
    council = make_council(allies=2)
    foreign = foreign_id(
        KeyFigure, amersfoort, utrecht, first_name="Geheime", last_name="Amersfoorter", mobile="+31699999999"
    )
    with tenant_context(amersfoort):
        KeyFigure.objects.filter(pk=foreign).update(is_ally=True)
    response = api(staff.official).post(
        f"/api/v1/councils/{council.pk}/members/", {"key_figures": [foreign]}, format="json"
    )
    body = assert_error(response, "council_crosses_boundary", 400)
    text = json.dumps(body)
    assert "Amersfoorter" not in text and "+31699999999" not in text
    connection.set_tenant(in_utrecht)
    assert council.members.count() == 2

    response = api(staff.official).post(
        "/api/v1/councils/", _payload(staff, key_figures=[foreign]), format="json"
    )
    assert_error(response, "council_crosses_boundary", 400)


def test_lead_from_another_municipality_is_refused(api, staff, people):
    amersfoort_official = people.official("amersfoort")
    amersfoort_police = people.police("amersfoort")
    for field, membership in (
        ("municipal_lead", people.membership(amersfoort_official, "amersfoort")),
        ("police_deputy", people.membership(amersfoort_police, "amersfoort")),
    ):
        response = api(staff.official).post(
            "/api/v1/councils/", _payload(staff, **{field: membership.pk}), format="json"
        )
        body = assert_error(response, "council_crosses_boundary", 400)
        assert field in body["fields"]


def test_nonexistent_and_malformed_ids_are_refused_not_crashing(api, staff):
    for bad in (2**62, 2**70, -1):
        response = api(staff.official).post(
            "/api/v1/councils/",
            _payload(staff, covers_whole_municipality=False, neighbourhoods=[bad]),
            format="json",
        )
        assert_error(response, "council_crosses_boundary", 400)


def test_another_municipalitys_council_is_not_found_here(api, staff, people, amersfoort, in_utrecht):
    """A council id of Amersfoort on Utrecht's host: 404, never Amersfoort's council."""
    with tenant_context(amersfoort):
        from tenants.councils.actions import do_create_council

        official = people.official("amersfoort", "x")
        police = people.police("amersfoort", "x")
        foreign = do_create_council(
            name="Overleg Amersfoort Geheim",
            municipal_lead_id=people.membership(official, "amersfoort").pk,
            police_lead_id=people.membership(police, "amersfoort").pk,
            acting_user=official,
        ).council
    connection.set_tenant(in_utrecht)
    own_ids = set(Council.objects.values_list("pk", flat=True))
    client = api(staff.official)
    assert foreign.pk not in own_ids
    assert_error(client.get(f"/api/v1/councils/{foreign.pk}/"), "not_found", 404)
    listed = client.get("/api/v1/councils/").json()
    assert "Amersfoort Geheim" not in json.dumps(listed)
    # Utrecht's staff on Amersfoort's host: no membership there, so nothing at all.
    assert_error(api(staff.official, "amersfoort").get("/api/v1/councils/"), "permission_denied", 403)
    assert_error(
        api(staff.official, "amersfoort").get(f"/api/v1/councils/{foreign.pk}/contact-sheet/"),
        "permission_denied",
        403,
    )
