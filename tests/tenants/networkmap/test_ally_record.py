"""An ally's record: the ally hard rules hold after selection, and the ally's own login is linked.

The hard rules (no professional representative, lives in this municipality) are the selection
app's (``tenants.selection.rules``); an edit of an ally's record that would break them is
refused with the selection's own codes, through the API and the admin alike.
"""

from __future__ import annotations

import pytest
from django.db import connection

from agora.audit.models import AuditEvent
from tenants.networkmap import actions
from tenants.networkmap.models import KeyFigure
from tests.helpers import assert_error, assert_raises_code
from tests.tenants.networkmap.test_admin import ADMIN, key_figure_form

V1 = "/api/v1"

BREAKING_CHANGES = [
    ({"is_professional_representative": True}, "professional_representative"),
    ({"residence_cbs_code": "GM0307", "neighbourhood": None}, "ally_lives_outside_municipality"),
]


# --- the ally hard rules after selection ----------------------------------------------------


@pytest.mark.parametrize(("changes", "code"), BREAKING_CHANGES)
def test_api_refuses_to_break_the_ally_rules(utrecht_map, api, changes, code):
    url = f"{V1}/key-figures/{utrecht_map.youssef.pk}/"
    response = api(utrecht_map.official).patch(url, changes, format="json")
    assert_error(response, code, 409)
    youssef = KeyFigure.objects.get(pk=utrecht_map.youssef.pk)
    assert youssef.is_ally is True
    assert youssef.is_professional_representative is False
    assert youssef.residence_cbs_code == ""
    assert not AuditEvent.objects.filter(action="networkmap.key_figure.updated").exists()


@pytest.mark.parametrize(("changes", "code"), BREAKING_CHANGES)
def test_the_same_change_is_fine_for_a_key_figure_who_is_no_ally(utrecht_map, api, changes, code):
    url = f"{V1}/key-figures/{utrecht_map.fatima.pk}/"
    response = api(utrecht_map.official).patch(url, changes, format="json")
    assert response.status_code == 200, response.json()


def test_other_edits_of_an_ally_and_own_code_still_work(utrecht_map, api):
    client = api(utrecht_map.official)
    url = f"{V1}/key-figures/{utrecht_map.youssef.pk}/"
    response = client.patch(url, {"mobile": "0611112222", "residence_cbs_code": "GM0344"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["residence_cbs_code"] == ""  # own code: lives here


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"is_professional_representative": "on"}, "professionele organisatie"),
        ({"residence_cbs_code": "GM0307"}, "woont buiten Utrecht"),
    ],
)
def test_admin_refuses_to_break_the_ally_rules(utrecht_map, web, utrecht, overrides, message):
    form = key_figure_form(
        first_name="Youssef",
        last_name="El Amrani",
        mobile="0612345678",
        communities=[utrecht_map.marokkaans.pk],
        **overrides,
    )
    if "residence_cbs_code" not in overrides:
        form["neighbourhood"] = utrecht_map.overvecht.pk
    response = web(utrecht_map.official).post(f"{ADMIN}/keyfigure/{utrecht_map.youssef.pk}/change/", form)
    assert response.status_code == 200
    assert message in response.content.decode()
    connection.set_tenant(utrecht)
    youssef = KeyFigure.objects.get(pk=utrecht_map.youssef.pk)
    assert (youssef.is_professional_representative, youssef.residence_cbs_code) == (False, "")


# --- linking an ally's login ----------------------------------------------------------------


def test_staff_link_an_allys_login_over_the_api(utrecht_map, api, people):
    login = people.ally("utrecht", "youssef")
    url = f"{V1}/key-figures/{utrecht_map.youssef.pk}/link-user/"
    response = api(utrecht_map.police).post(url, {"user": login.pk}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["user"] == login.pk
    event = AuditEvent.objects.get(action="networkmap.key_figure.user_linked")
    assert event.actor == utrecht_map.police
    assert event.object_id == str(utrecht_map.youssef.pk) and event.detail["user"] == login.pk
    # The ally now sees their own record (and only that).
    own = api(login).get(f"{V1}/key-figures/")
    assert [row["id"] for row in own.json()["results"]] == [utrecht_map.youssef.pk]
    # null unlinks
    response = api(utrecht_map.official).post(url, {"user": None}, format="json")
    assert response.status_code == 200 and response.json()["user"] is None
    assert AuditEvent.objects.filter(action="networkmap.key_figure.user_unlinked").exists()


def test_link_refuses_logins_that_are_no_ally_here(utrecht_map, api, people):
    url = f"{V1}/key-figures/{utrecht_map.youssef.pk}/link-user/"
    client = api(utrecht_map.official)
    for user in (
        people.ally("amersfoort"),  # an ally, but of another municipality
        people.official("utrecht", "other"),  # a member here, not an ally
        people.stranger(),
    ):
        response = client.post(url, {"user": user.pk}, format="json")
        assert_error(response, "user_not_ally_member", 400)
    response = client.post(url, {"user": 987654321}, format="json")  # no such user: the same
    assert_error(response, "user_not_ally_member", 400)
    membership = people.membership(people.ally("utrecht", "gone"))
    membership.is_active = False
    membership.save()
    response = client.post(url, {"user": membership.user_id}, format="json")
    assert_error(response, "user_not_ally_member", 400)
    assert KeyFigure.objects.get(pk=utrecht_map.youssef.pk).user_id is None


def test_one_login_links_to_one_record(utrecht_map, api, people):
    login = people.ally("utrecht", "youssef")
    KeyFigure.objects.filter(pk=utrecht_map.fatima.pk).update(is_ally=True)
    client = api(utrecht_map.official)
    assert (
        client.post(
            f"{V1}/key-figures/{utrecht_map.youssef.pk}/link-user/", {"user": login.pk}, format="json"
        ).status_code
        == 200
    )
    response = client.post(
        f"{V1}/key-figures/{utrecht_map.fatima.pk}/link-user/", {"user": login.pk}, format="json"
    )
    body = assert_error(response, "user_already_linked", 409)
    assert str(utrecht_map.youssef.pk) in body["detail"]
    # A record that is not an ally's takes no login.
    response = client.post(
        f"{V1}/key-figures/{utrecht_map.david.pk}/link-user/",
        {"user": people.ally("utrecht", "david").pk},
        format="json",
    )
    assert_error(response, "key_figure_not_ally", 409)


def test_link_user_is_for_staff_only(utrecht_map, api, people):
    login = people.ally("utrecht", "youssef")
    actions.do_link_key_figure_user(utrecht_map.youssef.pk, login.pk, acting_user=utrecht_map.official)
    url = f"{V1}/key-figures/{utrecht_map.youssef.pk}/link-user/"
    for user in (login, people.official("amersfoort"), people.stranger()):
        response = api(user).post(url, {"user": None}, format="json")
        assert response.status_code in (403, 404), response.status_code
    assert KeyFigure.objects.get(pk=utrecht_map.youssef.pk).user_id == login.pk
    response = api(utrecht_map.official).post(
        f"{V1}/key-figures/987654321/link-user/", {"user": None}, format="json"
    )
    assert_error(response, "not_found", 404)


def test_admin_links_a_login_through_the_action(utrecht_map, web, people, utrecht):
    login = people.ally("utrecht", "youssef")
    foreign = people.ally("amersfoort")
    form = key_figure_form(
        first_name="Youssef",
        last_name="El Amrani",
        mobile="0612345678",
        neighbourhood=utrecht_map.overvecht.pk,
        communities=[utrecht_map.marokkaans.pk],
    )
    client = web(utrecht_map.official)
    url = f"{ADMIN}/keyfigure/{utrecht_map.youssef.pk}/change/"
    page = client.get(url).content.decode()
    assert login.username in page or login.last_name in page
    assert foreign.username not in page
    # A forged id of another municipality's ally is not a choice.
    response = client.post(url, {**form, "user": foreign.pk})
    assert response.status_code == 200
    response = client.post(url, {**form, "user": login.pk})
    assert response.status_code == 302, response.content.decode()[:3000]
    connection.set_tenant(utrecht)
    assert KeyFigure.objects.get(pk=utrecht_map.youssef.pk).user_id == login.pk
    assert AuditEvent.objects.filter(
        action="networkmap.key_figure.user_linked", actor=utrecht_map.official
    ).exists()
    # A login already taken by another record is a form error, not a 500.
    KeyFigure.objects.filter(pk=utrecht_map.fatima.pk).update(is_ally=True)
    fatima_form = key_figure_form(
        first_name="Fatima",
        last_name="Bouzid",
        mobile="+31623456789",
        neighbourhood=utrecht_map.overvecht.pk,
        communities=[utrecht_map.marokkaans.pk],
        user=login.pk,
    )
    response = client.post(f"{ADMIN}/keyfigure/{utrecht_map.fatima.pk}/change/", fatima_form)
    assert response.status_code == 200
    assert "al gekoppeld" in response.content.decode()
    connection.set_tenant(utrecht)
    assert KeyFigure.objects.get(pk=utrecht_map.fatima.pk).user_id is None


def test_ids_in_the_body_are_ascii_digits_only(utrecht_map, api, people):
    """``agora.ids``: Arabic-Indic or full-width digits are no user id (``int()`` would read them)."""
    login = people.ally("utrecht", "digits")
    url = f"{V1}/key-figures/{utrecht_map.youssef.pk}/link-user/"
    client = api(utrecht_map.official)
    for raw in (str(login.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")), "\uff13", "1.5", True):
        response = client.post(url, {"user": raw}, format="json")
        assert response.status_code == 400, (raw, response.json())
    assert KeyFigure.objects.get(pk=utrecht_map.youssef.pk).user_id is None


def test_link_action_parses_the_key_figure_id(utrecht_map, people):
    login = people.ally("utrecht", "parse")
    for raw in ("٣", "abc", 0, -1):
        with assert_raises_code("not_found", status=404):
            actions.do_link_key_figure_user(raw, login.pk, acting_user=utrecht_map.official)
    linked = actions.do_link_key_figure_user(
        str(utrecht_map.youssef.pk), login.pk, acting_user=utrecht_map.official
    )
    assert linked.user_id == login.pk
