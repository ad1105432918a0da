"""Council composition: who may sit, how many, the leads, the mayor/alderman warning, leaving."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from agora.audit.models import AuditEvent
from tenants.councils.actions import do_remove_council_member
from tenants.councils.models import Acknowledgement, Council, CouncilRules
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


def _payload(staff, key_figures, **extra) -> dict:
    return {
        "name": "Bondgenotenoverleg Overvecht",
        "municipal_lead": staff.m_official.pk,
        "municipal_deputy": staff.m_official2.pk,
        "police_lead": staff.m_police.pk,
        "police_deputy": staff.m_police2.pk,
        "key_figures": [kf.pk for kf in key_figures],
        **extra,
    }


def test_create_council_through_the_api(api, staff, ally_factory, in_utrecht):
    allies = [ally_factory() for _ in range(5)]
    response = api(staff.official).post("/api/v1/councils/", _payload(staff, allies), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["municipal_lead"]["membership"] == staff.m_official.pk
    assert body["police_deputy"]["membership"] == staff.m_police2.pk
    assert sorted(m["key_figure"] for m in body["members"]) == sorted(kf.pk for kf in allies)
    assert body["warnings"] == []
    connection.set_tenant(in_utrecht)
    council = Council.objects.get(pk=body["id"])
    assert council.members.count() == 5
    assert AuditEvent.objects.filter(action="councils.council_created", object_id=str(council.pk)).exists()


def test_below_recommended_start_is_a_warning_not_a_refusal(api, staff, ally_factory):
    allies = [ally_factory() for _ in range(2)]
    response = api(staff.official).post("/api/v1/councils/", _payload(staff, allies), format="json")
    assert response.status_code == 201
    codes = [w["code"] for w in response.json()["warnings"]]
    assert codes == ["council_below_recommended_start"]


def test_more_allies_than_allowed_is_refused(api, staff, ally_factory, in_utrecht):
    allies = [ally_factory() for _ in range(11)]
    response = api(staff.official).post("/api/v1/councils/", _payload(staff, allies), format="json")
    assert_error(response, "council_too_many_allies", 400)
    connection.set_tenant(in_utrecht)
    assert not Council.objects.exists()


def test_settings_change_the_limit_fourth_ally_refused(api, staff, ally_factory, make_council, in_utrecht):
    response = api(staff.official).patch(
        "/api/v1/council-rules/",
        {"max_allies": 3, "recommended_start_min": 2, "recommended_start_max": 3},
        format="json",
    )
    assert response.status_code == 200, response.json()
    connection.set_tenant(in_utrecht)
    council = make_council(allies=3)
    fourth = ally_factory()
    response = api(staff.official).post(
        f"/api/v1/councils/{council.pk}/members/", {"key_figures": [fourth.pk]}, format="json"
    )
    assert_error(response, "council_too_many_allies", 400)
    # Raising the limit again lets the same ally in.
    api(staff.official).patch("/api/v1/council-rules/", {"max_allies": 4}, format="json")
    response = api(staff.official).post(
        f"/api/v1/councils/{council.pk}/members/", {"key_figures": [fourth.pk]}, format="json"
    )
    assert response.status_code == 200, response.json()


def test_total_size_includes_the_professional_seats(api, staff, ally_factory, in_utrecht):
    CouncilRules.objects.update_or_create(singleton=True, defaults={"max_size": 6})
    allies = [ally_factory() for _ in range(5)]  # 5 allies + 2 professional seats = 7 > 6
    response = api(staff.official).post("/api/v1/councils/", _payload(staff, allies), format="json")
    body = assert_error(response, "council_too_large", 400)
    assert "6" in body["detail"]


def test_non_ally_member_is_refused(api, staff, ally_factory):
    not_ally = ally_factory(ally=False)
    response = api(staff.official).post(
        "/api/v1/councils/", _payload(staff, [ally_factory(), not_ally]), format="json"
    )
    body = assert_error(response, "member_not_ally", 400)
    assert body["fields"]["key_figures"] == [not_ally.pk]


def test_professional_representative_is_refused(api, staff, ally_factory):
    professional = ally_factory(is_professional_representative=True)
    response = api(staff.official).post("/api/v1/councils/", _payload(staff, [professional]), format="json")
    # The selection's hard ally rule, with its code and status (one rule, one code: issue 7).
    body = assert_error(response, "professional_representative", 409)
    assert body["fields"]["key_figures"] == [professional.pk]


def test_ally_living_in_another_municipality_is_refused(api, staff, ally_factory):
    elsewhere = ally_factory(residence_cbs_code="GM0307")
    response = api(staff.official).post("/api/v1/councils/", _payload(staff, [elsewhere]), format="json")
    body = assert_error(response, "ally_lives_outside_municipality", 409)
    assert body["fields"]["key_figures"] == [elsewhere.pk]


def test_a_lead_whose_account_is_deactivated_is_refused(api, staff):
    """An active membership is not enough: the lead's user account must be active too (find_member)."""
    from agora.accounts.models import User

    User.objects.filter(pk=staff.official2.pk).update(is_active=False)
    response = api(staff.official).post("/api/v1/councils/", _payload(staff, []), format="json")
    body = assert_error(response, "lead_wrong_role", 400)
    assert "municipal_deputy" in body["fields"]
    assert not Council.objects.exists()


def test_residence_code_is_compared_case_insensitively(api, staff, ally_factory, utrecht):
    """``gm0344`` is Utrecht (GM0344): a council seats the ally, as the selection would approve them.

    Written straight to the row (as an import or a shell might): the action must not depend on
    the network map having normalised the code.
    """
    here = ally_factory(residence_cbs_code=utrecht.cbs_code.lower())
    also_here = ally_factory(residence_cbs_code=utrecht.cbs_code.upper())
    response = api(staff.official).post(
        "/api/v1/councils/", _payload(staff, [here, also_here]), format="json"
    )
    assert response.status_code == 201, response.json()
    assert sorted(m["key_figure"] for m in response.json()["members"]) == sorted([here.pk, also_here.pk])


def test_added_member_living_elsewhere_gets_the_selections_code(api, staff, ally_factory, make_council):
    council = make_council(allies=2)
    elsewhere = ally_factory(residence_cbs_code="gm0307")
    response = api(staff.official).post(
        f"/api/v1/councils/{council.pk}/members/", {"key_figures": [elsewhere.pk]}, format="json"
    )
    assert_error(response, "ally_lives_outside_municipality", 409)
    assert council.members.count() == 2


def test_leads_need_the_right_role(api, staff):
    payload = _payload(staff, [])
    payload["municipal_lead"], payload["police_lead"] = staff.m_police.pk, staff.m_official.pk
    response = api(staff.official).post("/api/v1/councils/", payload, format="json")
    assert_error(response, "lead_wrong_role", 400)


def test_ally_membership_cannot_lead(api, staff, people):
    ally_user = people.ally("utrecht", "lead")
    payload = _payload(staff, [], municipal_deputy=people.membership(ally_user).pk)
    response = api(staff.official).post("/api/v1/councils/", payload, format="json")
    assert_error(response, "lead_wrong_role", 400)


def test_lead_and_deputy_are_different_people(api, staff):
    payload = _payload(staff, [], municipal_deputy=staff.m_official.pk)
    response = api(staff.official).post("/api/v1/councils/", payload, format="json")
    assert_error(response, "leads_not_distinct", 400)


def test_whole_municipality_or_a_neighbourhood(api, staff):
    payload = _payload(staff, [], covers_whole_municipality=False, neighbourhoods=[])
    response = api(staff.official).post("/api/v1/councils/", payload, format="json")
    assert_error(response, "scope_required", 400)


@pytest.mark.parametrize("title", ["burgemeester", "Wethouder Veiligheid", "mayor", "alderman"])
def test_administrator_as_municipal_lead_needs_acknowledgement(api, people, staff, in_utrecht, title):
    administrator = people.official("utrecht", "admin", title=title)
    payload = _payload(staff, [], municipal_lead=people.membership(administrator).pk)
    response = api(staff.official).post("/api/v1/councils/", payload, format="json")
    body = assert_error(response, "acknowledgement_required", 409)
    assert body["fields"]["acknowledge"] == ["municipal_member_is_administrator"]
    connection.set_tenant(in_utrecht)
    assert not Council.objects.exists()

    payload["acknowledge"] = ["municipal_member_is_administrator"]
    response = api(staff.official).post("/api/v1/councils/", payload, format="json")
    assert response.status_code == 201, response.json()
    warnings = response.json()["warnings"]
    administrator_warning = next(w for w in warnings if w["code"] == "municipal_member_is_administrator")
    assert administrator_warning["acknowledged"] is True
    connection.set_tenant(in_utrecht)
    ack = Acknowledgement.objects.get(council_id=response.json()["id"])
    assert ack.code == "municipal_member_is_administrator"
    assert ack.acknowledged_by == staff.official
    assert ack.acknowledged_at is not None
    assert response.json()["acknowledgements"][0]["acknowledged_by"] == staff.official.pk
    assert AuditEvent.objects.filter(action="councils.warning_acknowledged", actor=staff.official).exists()


def test_alderman_as_deputy_through_leads_endpoint(api, people, staff, make_council, in_utrecht):
    council = make_council()
    alderman = people.official("utrecht", "weth", title="wethouder")
    body = {
        "municipal_lead": staff.m_official.pk,
        "municipal_deputy": people.membership(alderman).pk,
        "police_lead": staff.m_police.pk,
        "police_deputy": staff.m_police2.pk,
    }
    url = f"/api/v1/councils/{council.pk}/leads/"
    assert_error(api(staff.official).put(url, body, format="json"), "acknowledgement_required", 409)
    body["acknowledge"] = ["municipal_member_is_administrator"]
    response = api(staff.police).put(url, body, format="json")
    assert response.status_code == 200, response.json()
    connection.set_tenant(in_utrecht)
    assert Acknowledgement.objects.get(council=council).acknowledged_by == staff.police
    council.refresh_from_db()
    assert council.municipal_deputy_id == people.membership(alderman).pk
    # Swapping the police deputy later does not ask again for the same, acknowledged alderman.
    del body["acknowledge"]
    body["police_deputy"] = None
    response = api(staff.official).put(url, body, format="json")
    assert response.status_code == 200, response.json()
    connection.set_tenant(in_utrecht)
    assert Acknowledgement.objects.filter(council=council).count() == 1


def test_police_side_title_is_not_an_administrator_warning(api, people, staff):
    # Only the municipal side is checked: a police officer titled e.g. "wijkagent" is fine.
    response = api(staff.official).post("/api/v1/councils/", _payload(staff, []), format="json")
    assert response.status_code == 201
    assert "municipal_member_is_administrator" not in [w["code"] for w in response.json()["warnings"]]


def test_member_leaves_and_tenure_is_kept(api, staff, make_council, in_utrecht):
    council = make_council(allies=4)
    leaving = council.members.first()
    response = api(staff.official).post(
        f"/api/v1/councils/{council.pk}/members/leave/",
        {"key_figure": leaving.key_figure_id, "reason": "verhuisd"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert leaving.key_figure_id not in [m["key_figure"] for m in body["members"]]
    former = body["former_members"]
    assert [m["key_figure"] for m in former] == [leaving.key_figure_id]
    assert former[0]["left_on"] and former[0]["joined_on"] and former[0]["left_reason"] == "verhuisd"
    assert [w["code"] for w in body["warnings"]] == ["council_below_recommended_start"]
    # Leaving twice is refused; rejoining later is a new seat.
    connection.set_tenant(in_utrecht)
    response = api(staff.official).post(
        f"/api/v1/councils/{council.pk}/members/leave/", {"key_figure": leaving.key_figure_id}, format="json"
    )
    assert_error(response, "member_not_seated", 409)
    response = api(staff.official).post(
        f"/api/v1/councils/{council.pk}/members/", {"key_figures": [leaving.key_figure_id]}, format="json"
    )
    assert response.status_code == 200
    connection.set_tenant(in_utrecht)
    assert council.members.filter(key_figure_id=leaving.key_figure_id).count() == 2


def test_same_ally_cannot_be_seated_twice(api, staff, make_council):
    council = make_council(allies=2)
    seated = council.members.first().key_figure_id
    response = api(staff.official).post(
        f"/api/v1/councils/{council.pk}/members/", {"key_figures": [seated]}, format="json"
    )
    assert_error(response, "member_already_seated", 409)


def test_left_on_is_never_before_joined_on(staff, make_council):
    council = make_council(allies=1, started_on=dt.date(2026, 5, 1))
    seat = council.members.get()
    do_remove_council_member(
        council, seat.key_figure_id, left_on=dt.date(2026, 1, 1), acting_user=staff.official
    )
    seat.refresh_from_db()
    assert seat.left_on == seat.joined_on


def test_allies_and_strangers_cannot_change_councils(api, people, staff, ally_factory, make_council):
    council = make_council()
    ally_user = people.ally("utrecht", "w")
    ally_factory(user=ally_user)
    assert_error(
        api(ally_user).post("/api/v1/councils/", _payload(staff, []), format="json"), "permission_denied", 403
    )
    assert_error(
        api(ally_user).patch(f"/api/v1/councils/{council.pk}/", {"name": "x"}, format="json"),
        "permission_denied",
        403,
    )
    assert_error(api(people.stranger()).get("/api/v1/councils/"), "permission_denied", 403)


def test_ally_sees_only_own_council(api, people, staff, ally_factory, make_council, in_utrecht):
    ally_user = people.ally("utrecht", "own")
    mine = make_council(allies=[ally_factory(user=ally_user), ally_factory()])
    other = make_council(allies=2)
    client = api(ally_user)
    listed = [c["id"] for c in client.get("/api/v1/councils/").json()["results"]]
    assert listed == [mine.pk]
    assert client.get(f"/api/v1/councils/{mine.pk}/").status_code == 200
    assert_error(client.get(f"/api/v1/councils/{other.pk}/"), "not_found", 404)
    # Staff see both.
    listed = {c["id"] for c in api(staff.police).get("/api/v1/councils/").json()["results"]}
    assert listed == {mine.pk, other.pk}


def test_wrong_role_message_is_all_dutch(api, staff):
    payload = _payload(staff, [])
    payload["municipal_lead"], payload["police_lead"] = staff.m_police.pk, staff.m_official.pk
    body = assert_error(
        api(staff.official, language="nl").post("/api/v1/councils/", payload, format="json"),
        "lead_wrong_role",
    )
    assert body["detail"] == (
        "De trekker en plaatsvervanger van de gemeente moeten leden van deze gemeente zijn "
        "met de rol ambtenaar."
    )
    body = assert_error(
        api(staff.official).post("/api/v1/councils/", payload, format="json"), "lead_wrong_role"
    )
    assert body["detail"] == (
        "The municipal lead and deputy must be members of this municipality with the official role."
    )


@pytest.mark.parametrize(
    "title",
    [
        "locoburgemeester",
        "Loco-burgemeester",
        "loco burgemeester",
        "waarnemend burgemeester",
        "locowethouder",
        "loco-wethouder",
        "wethouder-plaatsvervanger",
        "Wethouders",
    ],
)
def test_administrator_title_variants(title):
    from tenants.councils.actions import is_administrator_title

    assert is_administrator_title(title)


@pytest.mark.parametrize("title", ["beleidsmedewerker veiligheid", "wijkregisseur", "", "locomotief"])
def test_civil_servant_titles_are_not_administrators(title):
    from tenants.councils.actions import is_administrator_title

    assert not is_administrator_title(title)
