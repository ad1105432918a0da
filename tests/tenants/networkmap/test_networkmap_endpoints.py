"""The network map API on a municipality's host: roles, narrowing for allies, logging, errors."""

from __future__ import annotations

import pytest
from django.db import connection

from agora.audit.models import AuditEvent, PersonRecordRead
from tenants.networkmap.models import ContactMoment, KeyFigure, Neighbourhood
from tests.helpers import assert_error
from tests.tenants.networkmap.conftest import days_ago

V1 = "/api/v1"


def reads(key_figure_id: int) -> int:
    return PersonRecordRead.objects.filter(
        record_type="networkmap.KeyFigure", record_id=str(key_figure_id)
    ).count()


# --- staff ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["official", "police"])
def test_staff_create_key_figure_with_normalised_phone(utrecht_map, api, people, role):
    client = api(people.member(role, "utrecht"))
    response = client.post(
        f"{V1}/key-figures/",
        {
            "first_name": "Mehmet",
            "last_name": "Yılmaz",
            "mobile": "06 - 11 22 33 44",
            "neighbourhood": utrecht_map.oost.pk,
            "communities": [utrecht_map.jongeren.pk],
            "nominated_by_police": True,
            "is_ally": True,  # read-only: ignored
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["mobile"] == "+31611223344"
    assert body["is_ally"] is False
    assert body["full_name"] == "Mehmet Yılmaz"
    key_figure = KeyFigure.objects.get(pk=body["id"])
    assert key_figure.is_ally is False
    assert list(key_figure.communities.all()) == [utrecht_map.jongeren]
    assert AuditEvent.objects.filter(
        action="networkmap.key_figure.created", object_id=str(key_figure.pk)
    ).exists()


def test_invalid_phone_is_400_invalid_phone(utrecht_map, api):
    response = api(utrecht_map.official).post(
        f"{V1}/key-figures/", {"first_name": "A", "last_name": "B", "mobile": "06-12"}, format="json"
    )
    body = assert_error(response, "invalid_phone", 400)
    assert body["fields"] == {"mobile": ["06-12"]}


def test_update_rules_come_back_in_the_error_shape(utrecht_map, api):
    client = api(utrecht_map.official, language="nl")
    response = client.patch(
        f"{V1}/key-figures/{utrecht_map.fatima.pk}/", {"residence_cbs_code": "GM0356"}, format="json"
    )
    body = assert_error(response, "residence_conflict", 400)
    assert "andere gemeente" in body["detail"]
    response = client.patch(f"{V1}/key-figures/{utrecht_map.fatima.pk}/", {"email": "x@"}, format="json")
    assert_error(response, "invalid_email", 400)
    response = client.patch(
        f"{V1}/key-figures/{utrecht_map.fatima.pk}/", {"mobile": "0612345678", "infix": "el"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["mobile"], response.json()["full_name"]) == ("+31612345678", "Fatima el Bouzid")


def test_key_figures_cannot_be_deleted_over_the_api(utrecht_map, api):
    response = api(utrecht_map.official).delete(f"{V1}/key-figures/{utrecht_map.fatima.pk}/")
    assert_error(response, "method_not_allowed", 405)
    assert KeyFigure.objects.filter(pk=utrecht_map.fatima.pk).exists()


def test_detail_read_is_logged_once_per_read(utrecht_map, api):
    client = api(utrecht_map.police)
    before = reads(utrecht_map.david.pk)
    for expected in (1, 2):
        response = client.get(f"{V1}/key-figures/{utrecht_map.david.pk}/")
        assert response.status_code == 200
        assert response.json()["influence_notes"] == ""
        assert reads(utrecht_map.david.pk) == before + expected
    read = PersonRecordRead.objects.filter(record_id=str(utrecht_map.david.pk)).first()
    assert read.actor == utrecht_map.police
    assert read.purpose == "api: key figure retrieve"


def test_list_logs_a_read_per_record_shown(utrecht_map, api):
    response = api(utrecht_map.official).get(f"{V1}/key-figures/", {"page_size": 2})
    body = response.json()
    assert body["count"] == 4 and len(body["results"]) == 2 and body["next"]
    shown = [item["id"] for item in body["results"]]
    logged = PersonRecordRead.objects.filter(purpose="api: key figure list").values_list(
        "record_id", flat=True
    )
    assert sorted(logged) == sorted(str(pk) for pk in shown)


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({}, ["Fatima Bouzid", "David Cohen", "Youssef El Amrani", "Ibrahim Özdemir"]),
        ({"neighbourhood": "OVERVECHT"}, None),
        ({"is_ally": "true"}, ["Youssef El Amrani"]),
        ({"is_ally": "false"}, ["Fatima Bouzid", "David Cohen", "Ibrahim Özdemir"]),
        ({"nominated_by": "both"}, ["Youssef El Amrani"]),
        ({"nominated_by": "police"}, ["David Cohen", "Youssef El Amrani"]),
        ({"nominated_by": "municipality"}, ["Fatima Bouzid", "Youssef El Amrani"]),
        ({"nominated_by": "one"}, ["Fatima Bouzid", "David Cohen"]),
        ({"search": "el am"}, ["Youssef El Amrani"]),
        ({"search": "bouz"}, ["Fatima Bouzid"]),
    ],
)
def test_list_filters(utrecht_map, api, params, names):
    if params.get("neighbourhood") == "OVERVECHT":
        params = {"neighbourhood": utrecht_map.overvecht.pk}
        names = ["Fatima Bouzid", "Youssef El Amrani"]
    response = api(utrecht_map.official).get(f"{V1}/key-figures/", params)
    assert response.status_code == 200, response.json()
    assert [item["full_name"] for item in response.json()["results"]] == names


def test_filter_by_community_lists_each_person_once(utrecht_map, api):
    response = api(utrecht_map.official).get(f"{V1}/key-figures/", {"community": utrecht_map.marokkaans.pk})
    assert [item["full_name"] for item in response.json()["results"]] == [
        "Fatima Bouzid",
        "Youssef El Amrani",
    ]


@pytest.mark.parametrize("params", [{"neighbourhood": "x"}, {"nominated_by": "mayor"}, {"is_ally": "maybe"}])
def test_invalid_filters_are_400(utrecht_map, api, params):
    response = api(utrecht_map.official).get(f"{V1}/key-figures/", params)
    body = assert_error(response, "validation_failed", 400)
    assert set(body["fields"]) == set(params)


def test_contacts_record_and_list(utrecht_map, api, people):
    client = api(utrecht_map.police)
    url = f"{V1}/key-figures/{utrecht_map.fatima.pk}/contacts/"
    response = client.post(
        url, {"date": days_ago(3).isoformat(), "kind": "phone", "note": "Over de buurtbarbecue"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["membership"] == people.membership(utrecht_map.police).pk
    utrecht_map.fatima.refresh_from_db()
    assert utrecht_map.fatima.last_contact_on == days_ago(3)
    response = client.post(url, {"membership": people.membership(utrecht_map.official).pk})
    assert response.status_code == 201
    assert response.json()["date"] == days_ago(0).isoformat()
    listed = client.get(url).json()["results"]
    assert [c["date"] for c in listed] == [days_ago(0).isoformat(), days_ago(3).isoformat()]
    assert listed[0]["membership_detail"]["name"] == utrecht_map.official.display_name


def test_contact_rules_over_the_api(utrecht_map, api, people, utrecht):
    client = api(utrecht_map.official)
    url = f"{V1}/key-figures/{utrecht_map.fatima.pk}/contacts/"
    foreign = people.membership(people.police("amersfoort"), "amersfoort").pk
    assert_error(client.post(url, {"membership": foreign}), "membership_outside_municipality", 400)
    assert_error(client.post(url, {"date": days_ago(-2).isoformat()}), "contact_in_future", 400)
    assert_error(client.post(url, {"kind": "pigeon"}), "validation_failed", 400)
    assert_error(client.post(f"{V1}/key-figures/987654321/contacts/", {}), "not_found", 404)
    connection.set_tenant(utrecht)
    assert not ContactMoment.objects.filter(key_figure=utrecht_map.fatima).exists()


def test_neighbourhood_boundary_rule_over_the_api(utrecht_map, api, people):
    client = api(utrecht_map.official)
    foreign = people.membership(people.police("amersfoort"), "amersfoort").pk
    response = client.post(
        f"{V1}/neighbourhoods/", {"name": "Zuid", "police_officers": [foreign]}, format="json"
    )
    assert_error(response, "membership_outside_municipality", 400)
    response = client.post(
        f"{V1}/neighbourhoods/",
        {"name": "Zuid", "municipal_contact": people.membership(utrecht_map.police).pk},
        format="json",
    )
    assert_error(response, "membership_wrong_role", 400)
    response = client.post(
        f"{V1}/neighbourhoods/",
        {
            "name": "Zuid",
            "cbs_code": "WK034407",
            "city_district": utrecht_map.district.pk,
            "police_officers": [people.membership(utrecht_map.police).pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["police_officers"] == [people.membership(utrecht_map.police).pk]
    assert body["police_officer_details"][0]["name"] == utrecht_map.police.display_name
    assert body["municipal_contact"] is None


def test_reference_data_crud(utrecht_map, api):
    client = api(utrecht_map.official)
    response = client.post(f"{V1}/communities/", {"kind": "religious", "name": "Hindoestaans"})
    assert response.status_code == 201
    community_id = response.json()["id"]
    assert_error(
        client.post(f"{V1}/communities/", {"kind": "religious", "name": "hindoestaans"}),
        "networkmap_duplicate_name",
        409,
    )
    assert client.patch(f"{V1}/communities/{community_id}/", {"name": "Hindoe"}).json()["name"] == "Hindoe"
    assert client.delete(f"{V1}/communities/{community_id}/").status_code == 204
    assert_error(client.delete(f"{V1}/communities/{utrecht_map.joods.pk}/"), "networkmap_in_use", 409)
    assert_error(client.delete(f"{V1}/neighbourhoods/{utrecht_map.oost.pk}/"), "networkmap_in_use", 409)
    response = client.post(f"{V1}/city-districts/", {"name": "Zuid"})
    assert response.status_code == 201
    assert [d["name"] for d in client.get(f"{V1}/city-districts/").json()["results"]] == ["Noord", "Zuid"]
    assert_error(client.get(f"{V1}/city-districts/abc/"), "not_found", 404)


@pytest.mark.parametrize("resource", ["neighbourhoods", "communities", "city-districts", "key-figures"])
@pytest.mark.parametrize("raw", ["%C2%B2", "%D9%A1", "1%C2%B2", "-1", "99999999999999999999"])
def test_malformed_ids_are_404_for_every_method(utrecht_map, api, resource, raw):
    # "²" passes str.isdigit() but not int(); %D9%A1 (Arabic-Indic one) passes both.
    client = api(utrecht_map.official)
    for method in ("get", "put", "patch", "delete"):
        response = getattr(client, method)(f"{V1}/{resource}/{raw}/", {}, format="json")
        if resource == "key-figures" and method == "delete":
            assert response.status_code in (404, 405), response.status_code
            continue
        assert_error(response, "not_found", 404)
    if resource == "key-figures":
        for sub in ("contacts", "link-user"):
            assert_error(client.post(f"{V1}/{resource}/{raw}/{sub}/", {}, format="json"), "not_found", 404)


def test_reference_data_filters(utrecht_map, api):
    client = api(utrecht_map.official)
    zuid = client.post(f"{V1}/city-districts/", {"name": "Zuidwest"}).json()
    client.post(f"{V1}/neighbourhoods/", {"name": "Kanaleneiland", "city_district": zuid["id"]})

    def names(path, **params):
        response = client.get(f"{V1}/{path}/", params)
        assert response.status_code == 200, response.json()
        return [row["name"] for row in response.json()["results"]]

    assert names("neighbourhoods") == ["Kanaleneiland", "Oost", "Overvecht"]
    assert names("neighbourhoods", city_district=utrecht_map.district.pk) == ["Overvecht"]
    assert names("neighbourhoods", city_district=zuid["id"]) == ["Kanaleneiland"]
    assert names("neighbourhoods", search="VECHT") == ["Overvecht"]
    assert names("neighbourhoods", search="o", city_district=utrecht_map.district.pk) == ["Overvecht"]
    assert names("communities", kind="origin") == ["Eritrees", "Marokkaans"]
    assert names("communities", search="marok") == ["Marokkaans"]
    assert names("communities", kind="religious", search="marok") == []
    assert names("city-districts", search="zuid") == ["Zuidwest"]
    for path, params in (
        ("neighbourhoods", {"city_district": "abc"}),
        ("neighbourhoods", {"city_district": "0"}),
        ("communities", {"kind": "sect"}),
    ):
        assert_error(client.get(f"{V1}/{path}/", params), "validation_failed", 400)


def test_browsable_api_offers_only_this_municipalitys_members(utrecht_map, api, people, monkeypatch):
    """The form's membership choices never list another municipality's people."""
    from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

    from api.networkmap.views import KeyFigureViewSet, NeighbourhoodViewSet

    for viewset in (NeighbourhoodViewSet, KeyFigureViewSet):
        monkeypatch.setattr(viewset, "renderer_classes", [JSONRenderer, BrowsableAPIRenderer])
    foreign = [people.police("amersfoort", "f"), people.official("amersfoort", "f")]
    client = api(utrecht_map.official)
    response = client.get(f"{V1}/neighbourhoods/?format=api", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    page = response.content.decode()
    assert "police_officers" in page  # the form is rendered, with its choices
    assert utrecht_map.police.username in page
    for user in foreign:
        assert user.username not in page
    # Only the role the field takes: the official is no choice for police officers, and allies
    # of this municipality are no choice at all.
    ally = people.ally("utrecht", "form")
    page = client.get(
        f"{V1}/neighbourhoods/{utrecht_map.oost.pk}/?format=api", HTTP_ACCEPT="text/html"
    ).content.decode()
    assert ally.username not in page
    for user in foreign:
        assert user.username not in page
    page = client.get(
        f"{V1}/key-figures/{utrecht_map.david.pk}/contacts/?format=api", HTTP_ACCEPT="text/html"
    ).content.decode()
    for user in (*foreign, ally):
        assert user.username not in page


def test_network_map_endpoint(utrecht_map, api):
    client = api(utrecht_map.official)
    response = client.get(f"{V1}/network-map/")
    assert response.status_code == 200
    body = response.json()
    assert body["stale_after_months"] == 6
    assert [p["name"] for p in body["gaps"]["stale_relationships"]] == ["Fatima Bouzid", "David Cohen"]
    assert "+316" not in response.content.decode()
    logged = set(
        PersonRecordRead.objects.filter(purpose="api: network map").values_list("record_id", flat=True)
    )
    assert logged == {str(kf.pk) for kf in (utrecht_map.youssef, utrecht_map.fatima, utrecht_map.david)}
    response = client.get(f"{V1}/network-map/", {"stale_after_months": 1})
    assert len(response.json()["gaps"]["stale_relationships"]) == 3
    for bad in ("0", "abc", "500"):
        assert_error(
            client.get(f"{V1}/network-map/", {"stale_after_months": bad}), "invalid_stale_after_months", 400
        )


# --- allies --------------------------------------------------------------------------------


@pytest.fixture
def ally_youssef(utrecht_map, people):
    ally = people.ally("utrecht")
    KeyFigure.objects.filter(pk=utrecht_map.youssef.pk).update(user=ally)
    return ally


def test_ally_lists_only_their_own_minimal_record(utrecht_map, api, ally_youssef):
    response = api(ally_youssef).get(f"{V1}/key-figures/")
    assert response.status_code == 200
    (own,) = response.json()["results"]
    assert own["id"] == utrecht_map.youssef.pk
    assert own["mobile"] == "+31612345678"
    assert own["neighbourhood"] == "Overvecht"
    assert sorted(own["communities"]) == ["Jongeren", "Marokkaans"]
    for hidden in (
        "influence_notes",
        "nominated_by_police",
        "is_professional_representative",
        "last_contact_on",
    ):
        assert hidden not in own
    # Filters cannot widen the narrowed list.
    assert api(ally_youssef).get(f"{V1}/key-figures/", {"is_ally": "false"}).json()["results"] == []


def test_ally_detail_of_own_and_of_others(utrecht_map, api, ally_youssef):
    client = api(ally_youssef)
    response = client.get(f"{V1}/key-figures/{utrecht_map.youssef.pk}/")
    assert response.status_code == 200
    assert "influence_notes" not in response.json()
    assert reads(utrecht_map.youssef.pk) == 1
    response = client.get(f"{V1}/key-figures/{utrecht_map.david.pk}/")
    body = assert_error(response, "not_found", 404)
    assert "Cohen" not in str(body)
    assert reads(utrecht_map.david.pk) == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/key-figures/"),
        ("patch", "/key-figures/{own}/"),
        ("get", "/key-figures/{own}/contacts/"),
        ("post", "/key-figures/{own}/contacts/"),
        ("get", "/neighbourhoods/"),
        ("get", "/communities/"),
        ("get", "/city-districts/"),
        ("get", "/network-map/"),
    ],
)
def test_ally_may_do_nothing_else(utrecht_map, api, ally_youssef, method, path):
    url = V1 + path.format(own=utrecht_map.youssef.pk)
    response = getattr(api(ally_youssef), method)(url, {}, format="json")
    assert_error(response, "permission_denied", 403)


# --- outsiders and other tenants -----------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "stranger", "amersfoort official"])
@pytest.mark.parametrize(
    "path", ["/key-figures/", "/key-figures/{id}/", "/neighbourhoods/", "/communities/", "/network-map/"]
)
def test_outsiders_get_nothing(utrecht_map, api, people, who, path):
    user = {
        "anonymous": None,
        "stranger": people.stranger(),
        "amersfoort official": people.official("amersfoort"),
    }[who]
    response = api(user).get(V1 + path.format(id=utrecht_map.david.pk))
    assert response.status_code in ((401, 403) if user is None else (403,))
    assert "Cohen" not in response.content.decode()


def test_cross_tenant_ids_are_404(api, people, utrecht, in_amersfoort):
    """A key figure of Amersfoort, asked for on Utrecht's host by Utrecht's official: 404, no data."""
    secret = KeyFigure.objects.create(pk=987654321, first_name="Geheim", last_name="Amersfoorter")
    neighbourhood = Neighbourhood.objects.create(pk=987654321, name="Kruiskamp")
    connection.set_tenant(utrecht)
    assert not KeyFigure.objects.filter(pk=secret.pk).exists()
    client = api(people.official("utrecht"), "utrecht")
    for method, url in [
        ("get", f"{V1}/key-figures/{secret.pk}/"),
        ("patch", f"{V1}/key-figures/{secret.pk}/"),
        ("get", f"{V1}/key-figures/{secret.pk}/contacts/"),
        ("post", f"{V1}/key-figures/{secret.pk}/contacts/"),
        ("get", f"{V1}/neighbourhoods/{neighbourhood.pk}/"),
        ("delete", f"{V1}/neighbourhoods/{neighbourhood.pk}/"),
    ]:
        response = getattr(client, method)(url, {}, format="json")
        assert_error(response, "not_found", 404)
        assert (
            "Amersfoorter" not in response.content.decode() and "Kruiskamp" not in response.content.decode()
        )
    # Referring to it from Utrecht fails validation instead of linking across schemas.
    response = client.post(
        f"{V1}/key-figures/",
        {"first_name": "A", "last_name": "B", "neighbourhood": neighbourhood.pk},
        format="json",
    )
    assert_error(response, "validation_failed", 400)
    # On its own host, Amersfoort's official does see it.
    response = api(people.official("amersfoort"), "amersfoort").get(f"{V1}/key-figures/{secret.pk}/")
    assert response.status_code == 200 and response.json()["last_name"] == "Amersfoorter"


def test_openapi_documents_the_error_responses(api, people):
    import yaml

    document = yaml.safe_load(api(people.official("utrecht")).get("/api/schema/").content.decode())
    paths = document["paths"]
    expected = {
        ("/api/v1/key-figures/", "get"): {"400", "401", "403"},
        ("/api/v1/key-figures/", "post"): {"400", "403", "409"},
        ("/api/v1/key-figures/{id}/", "patch"): {"400", "403", "404", "409"},
        ("/api/v1/key-figures/{id}/link-user/", "post"): {"400", "404", "409"},
        ("/api/v1/key-figures/{id}/contacts/", "post"): {"400", "404"},
        ("/api/v1/neighbourhoods/{id}/", "delete"): {"404", "409"},
        ("/api/v1/communities/", "post"): {"400", "409"},
        ("/api/v1/city-districts/{id}/", "get"): {"404"},
        ("/api/v1/network-map/", "get"): {"400", "403"},
    }
    for (path, method), codes in expected.items():
        responses = paths[path][method]["responses"]
        assert codes <= set(responses), (path, method, sorted(responses))
        for code in codes:
            ref = responses[code]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/NetworkMapError"), (path, method, code, ref)
    # Successful responses are still documented (and the lists still paginated).
    assert "200" in paths["/api/v1/key-figures/"]["get"]["responses"]
    listed = paths["/api/v1/neighbourhoods/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert listed["schema"]["$ref"].endswith("/PaginatedNeighbourhoodList")
    parameters = {p["name"] for p in paths["/api/v1/neighbourhoods/"]["get"]["parameters"]}
    assert {"city_district", "search", "page"} <= parameters
