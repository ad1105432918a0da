"""The contact sheet: everybody's mobile number, for the council and for nobody else; reads logged."""

from __future__ import annotations

import pytest
from django.db import connection

from agora.audit.models import PersonRecordRead
from tenants.councils.exports import contacts_as_vcard
from tenants.networkmap.models import KeyFigure
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(people, staff, ally_factory, make_council):
    """Two councils of Utrecht, each with an ally who has a login."""
    member = people.ally("utrecht", "member")
    outsider = people.ally("utrecht", "outsider")
    mine = make_council(
        allies=[
            ally_factory(user=member, first_name="Fatima", last_name="El Amrani", mobile="+31611111111"),
            ally_factory(first_name="Jan", infix="van der", last_name="Berg", mobile="+31622222222"),
        ]
    )
    other = make_council(allies=[ally_factory(user=outsider, mobile="+31633333333")])
    return mine, other, member, outsider


def test_member_sees_everybodys_mobile(api, staff, setting):
    council, _other, member, _outsider = setting
    response = api(member).get(f"/api/v1/councils/{council.pk}/contact-sheet/")
    assert response.status_code == 200, response.json()
    contacts = response.json()["contacts"]
    by_seat = {}
    for contact in contacts:
        by_seat.setdefault(contact["seat"], []).append(contact)
    assert {c["mobile"] for c in by_seat["ally"]} == {"+31611111111", "+31622222222"}
    # Staff numbers come from their membership of this municipality.
    assert by_seat["municipal_lead"][0]["mobile"] == staff.m_official.mobile != ""
    assert by_seat["police_lead"][0]["mobile"] == staff.m_police.mobile != ""
    assert by_seat["municipal_deputy"][0]["mobile"] == staff.m_official2.mobile != ""
    assert by_seat["police_deputy"][0]["mobile"] == staff.m_police2.mobile != ""
    assert [c["is_you"] for c in contacts if c["name"] == "Fatima El Amrani"] == [True]
    assert "+31633333333" not in response.content.decode()  # the other council's ally


def test_ally_of_another_council_gets_not_found(api, setting):
    council, _other, _member, outsider = setting
    response = api(outsider).get(f"/api/v1/councils/{council.pk}/contact-sheet/")
    assert_error(response, "not_found", 404)
    assert "+3161111" not in response.content.decode()
    assert_error(api(outsider).get(f"/api/v1/councils/{council.pk}/contact-sheet.vcf"), "not_found", 404)


def test_stranger_and_other_municipality_are_refused(api, people, setting):
    council, *_ = setting
    assert_error(
        api(people.stranger()).get(f"/api/v1/councils/{council.pk}/contact-sheet/"), "permission_denied", 403
    )
    assert_error(api(None).get(f"/api/v1/councils/{council.pk}/contact-sheet/"), "not_authenticated")
    amersfoort_ally = people.ally("amersfoort", "x")
    response = api(amersfoort_ally).get(f"/api/v1/councils/{council.pk}/contact-sheet/")
    assert_error(response, "permission_denied", 403)


def test_ally_who_left_loses_access(api, staff, setting, in_utrecht):
    council, _other, member, _outsider = setting
    seat = council.members.get(key_figure__user=member)
    api(staff.official).post(
        f"/api/v1/councils/{council.pk}/members/leave/", {"key_figure": seat.key_figure_id}, format="json"
    )
    assert_error(api(member).get(f"/api/v1/councils/{council.pk}/contact-sheet/"), "not_found", 404)


def test_leads_and_deputies_see_it(api, staff, setting):
    council, *_ = setting
    for user in (staff.official, staff.official2, staff.police, staff.police2):
        assert api(user).get(f"/api/v1/councils/{council.pk}/contact-sheet/").status_code == 200


def test_other_staff_of_the_municipality_get_not_found(api, people, setting, in_utrecht):
    """The sheet is for this council's members and nobody else, not for everyone who runs the map."""
    council, *_ = setting
    for user in (people.official("utrecht", "map"), people.police("utrecht", "map")):
        client = api(user)
        assert client.get(f"/api/v1/councils/{council.pk}/").status_code == 200  # the council, yes
        response = client.get(f"/api/v1/councils/{council.pk}/contact-sheet/")
        assert_error(response, "not_found", 404)
        assert "+3161111" not in response.content.decode()
        assert_error(client.get(f"/api/v1/councils/{council.pk}/contact-sheet.vcf"), "not_found", 404)
        # Forbidden and missing look alike.
        assert_error(client.get("/api/v1/councils/987654/contact-sheet/"), "not_found", 404)
        connection.set_tenant(in_utrecht)
        assert not PersonRecordRead.objects.filter(
            actor=user, purpose__startswith="council contact sheet"
        ).exists()


def test_reads_are_logged_per_person(api, setting, in_utrecht):
    council, _other, member, _outsider = setting
    api(member).get(f"/api/v1/councils/{council.pk}/contact-sheet/")
    reads = PersonRecordRead.objects.filter(actor=member, purpose=f"council contact sheet {council.pk}")
    connection.set_tenant(in_utrecht)
    key_figures = {str(pk) for pk in council.members.values_list("key_figure_id", flat=True)}
    assert {r.record_id for r in reads if r.record_type == "networkmap.KeyFigure"} == key_figures
    assert sum(1 for r in reads if r.record_type == "accounts.User") == 4


def test_vcard_export(api, staff, setting):
    council, _other, member, _outsider = setting
    response = api(member).get(f"/api/v1/councils/{council.pk}/contact-sheet.vcf")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/vcard")
    text = response.content.decode()
    cards = _parse_vcards(text)
    assert len(cards) == 6
    by_name = {card["FN"]: card for card in cards}
    assert by_name["Jan van der Berg"]["TEL;TYPE=cell;VALUE=uri"] == "tel:+31622222222"
    assert by_name[staff.police.display_name]["ORG"] == "Politie"
    assert all(card["VERSION"] == "4.0" for card in cards)
    # ?format=vcf works as well as the suffix.
    assert (
        api(member).get(f"/api/v1/councils/{council.pk}/contact-sheet/?format=vcf").content
        == response.content
    )


def test_vcard_escapes_and_folds():
    contacts = [
        {
            "seat": "ally",
            "side": "ally",
            "role_label": "bondgenoot",
            "name": "Anna, de; Vries\\" + "é" * 80,
            "given_name": "",
            "infix": "",
            "surname": "Anna, de; Vries\\" + "é" * 80,
            "title": "",
            "mobile": "+31 6 12345678",
            "email": "",
            "organisation": "",
            "uid": "gm_x-key-figure-1",
            "is_you": False,
        }
    ]
    text = contacts_as_vcard(contacts, council_name="Overleg\nNoord")
    assert "\r\n" in text
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    cards = _parse_vcards(text)
    assert cards[0]["FN"] == "Anna\\, de\\; Vries\\\\" + "é" * 80
    assert cards[0]["NOTE"] == "Overleg\\nNoord"
    assert cards[0]["TEL;TYPE=cell;VALUE=uri"] == "tel:+31612345678"


def _parse_vcards(text: str) -> list[dict[str, str]]:
    """Unfold (RFC 6350 §3.2) and split into cards of property → raw value."""
    unfolded = text.replace("\r\n ", "")
    cards: list[dict[str, str]] = []
    for line in unfolded.split("\r\n"):
        if not line:
            continue
        if line == "BEGIN:VCARD":
            cards.append({})
            continue
        if line == "END:VCARD":
            continue
        key, _, value = line.partition(":")
        cards[-1][key] = value
    return cards


def test_revoked_ally_gives_out_no_number(api, staff, setting, in_utrecht):
    council, *_ = setting
    KeyFigure.objects.filter(mobile="+31622222222").update(is_ally=False)
    response = api(staff.official).get(f"/api/v1/councils/{council.pk}/contact-sheet/")
    assert "+31622222222" not in response.content.decode()
    assert "+31611111111" in response.content.decode()
