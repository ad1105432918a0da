"""The municipality's admin saves through the actions: same rules, same audit, is_ally read-only."""

from __future__ import annotations

import pytest
from django.db import connection

from agora.audit.models import AuditEvent, PersonRecordRead
from tenants.networkmap import actions
from tenants.networkmap.models import CityDistrict, Community, KeyFigure, Neighbourhood

ADMIN = "/admin/networkmap"


def key_figure_form(**overrides) -> dict:
    data = {
        "first_name": "Ayşe",
        "infix": "",
        "last_name": "Demir",
        "mobile": "06-55 66 77 88",
        "email": "",
        "neighbourhood": "",
        "residence_cbs_code": "",
        "represents": "vrouwenvereniging",
        "influence_notes": "",
        "nominated_by_municipality": "on",
        # The read-only contact history inline's management form, as a browser sends it.
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_add_key_figure_goes_through_the_action(utrecht_map, web, utrecht):
    response = web(utrecht_map.official).post(
        f"{ADMIN}/keyfigure/add/",
        key_figure_form(communities=[utrecht_map.marokkaans.pk], is_ally="on"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    connection.set_tenant(utrecht)
    key_figure = KeyFigure.objects.get(last_name="Demir")
    assert key_figure.mobile == "+31655667788"  # normalised by the action
    assert key_figure.is_ally is False  # read-only in the admin
    assert list(key_figure.communities.all()) == [utrecht_map.marokkaans]
    assert AuditEvent.objects.filter(
        action="networkmap.key_figure.created", object_id=str(key_figure.pk)
    ).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"mobile": "06-12"}, "geen geldig telefoonnummer"),
        ({"residence_cbs_code": "0356"}, "CBS-code"),
        ({"residence_cbs_code": "GM0356", "neighbourhood": "OOST"}, "andere gemeente"),
    ],
)
def test_broken_rules_are_form_errors(utrecht_map, web, utrecht, overrides, message):
    if overrides.get("neighbourhood") == "OOST":
        overrides = {**overrides, "neighbourhood": utrecht_map.oost.pk}
    response = web(utrecht_map.official).post(f"{ADMIN}/keyfigure/add/", key_figure_form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    connection.set_tenant(utrecht)
    assert not KeyFigure.objects.filter(last_name="Demir").exists()


def test_change_view_logs_the_read_and_saves_through_the_action(utrecht_map, web, utrecht):
    client = web(utrecht_map.police)
    actions.do_record_contact(utrecht_map.david, acting_user=utrecht_map.police, note="Koffie na de sjabbat")
    url = f"{ADMIN}/keyfigure/{utrecht_map.david.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Koffie na de sjabbat" in page.content.decode()  # the read-only contact history
    assert PersonRecordRead.objects.filter(
        record_id=str(utrecht_map.david.pk), purpose="admin: key figure"
    ).exists()
    url = f"{ADMIN}/keyfigure/{utrecht_map.fatima.pk}/change/"
    assert client.get(url).status_code == 200
    connection.set_tenant(utrecht)
    assert PersonRecordRead.objects.filter(
        record_id=str(utrecht_map.fatima.pk), actor=utrecht_map.police, purpose="admin: key figure"
    ).exists()
    response = client.post(
        url,
        key_figure_form(
            first_name="Fatima",
            last_name="Bouzid",
            mobile="0687654321",
            neighbourhood=utrecht_map.overvecht.pk,
            communities=[utrecht_map.marokkaans.pk],
        ),
    )
    assert response.status_code == 302
    connection.set_tenant(utrecht)
    utrecht_map.fatima.refresh_from_db()
    assert utrecht_map.fatima.mobile == "+31687654321"
    event = AuditEvent.objects.filter(action="networkmap.key_figure.updated").get()
    assert "mobile" in event.detail["fields"] and event.actor == utrecht_map.police


def test_changelist_logs_reads(utrecht_map, web, utrecht):
    assert web(utrecht_map.official).get(f"{ADMIN}/keyfigure/").status_code == 200
    connection.set_tenant(utrecht)
    assert PersonRecordRead.objects.filter(purpose="admin: key figure list").count() == 4


def test_neighbourhood_admin_keeps_the_boundary(utrecht_map, web, people, utrecht):
    # The form only offers this municipality's police; a forged id of another is still refused.
    foreign = people.membership(people.police("amersfoort"), "amersfoort")
    client = web(utrecht_map.official)
    response = client.post(f"{ADMIN}/neighbourhood/add/", {"name": "Zuid", "police_officers": [foreign.pk]})
    assert response.status_code == 200
    connection.set_tenant(utrecht)
    assert not Neighbourhood.objects.filter(name="Zuid").exists()
    response = client.post(
        f"{ADMIN}/neighbourhood/add/",
        {
            "name": "Zuid",
            "cbs_code": "WK034407",
            "police_officers": [people.membership(utrecht_map.police).pk],
        },
    )
    assert response.status_code == 302
    connection.set_tenant(utrecht)
    zuid = Neighbourhood.objects.get(name="Zuid")
    assert list(zuid.police_officers.all()) == [people.membership(utrecht_map.police)]
    assert AuditEvent.objects.filter(
        action="networkmap.neighbourhood.created", object_id=str(zuid.pk)
    ).exists()


def test_allies_and_outsiders_have_no_admin(utrecht_map, web, people):
    for user in (people.ally("utrecht"), people.official("amersfoort")):
        response = web(user).get(f"{ADMIN}/keyfigure/")
        assert response.status_code in (302, 403)


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("community/add/", {"kind": "origin", "name": "marokkaans"}),
        ("neighbourhood/add/", {"name": "overvecht"}),
        ("citydistrict/add/", {"name": "NOORD"}),
    ],
)
def test_duplicate_names_differing_in_case_are_form_errors(utrecht_map, web, utrecht, path, form):
    response = web(utrecht_map.official).post(f"{ADMIN}/{path}", form)
    assert response.status_code == 200
    assert "Er bestaat al een" in response.content.decode()
    connection.set_tenant(utrecht)
    model = {"community": Community, "neighbourhood": Neighbourhood, "citydistrict": CityDistrict}[
        path.split("/")[0]
    ]
    assert model.objects.filter(name__iexact=form["name"]).count() == 1  # only the original


def test_duplicate_name_on_change_is_a_form_error(utrecht_map, web, utrecht):
    url = f"{ADMIN}/community/{utrecht_map.joods.pk}/change/"
    response = web(utrecht_map.official).post(url, {"kind": "origin", "name": "MAROKKAANS"})
    assert response.status_code == 200
    assert "Er bestaat al een" in response.content.decode()
    connection.set_tenant(utrecht)
    utrecht_map.joods.refresh_from_db()
    assert (utrecht_map.joods.kind, utrecht_map.joods.name) == ("religious", "Joods")
