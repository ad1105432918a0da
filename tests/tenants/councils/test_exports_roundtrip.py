"""The contact sheet and the calendar, read back by an independent parser (vobject), as a phone would.

The exports are written by our own vCard writer and by ``icalendar``; reading them with the
library that wrote them proves little. vobject is a separate implementation of both formats.
"""

from __future__ import annotations

import datetime as dt

import pytest
import vobject
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from agora.accounts.models import User
from agora.municipalities.models import Domain
from agora.municipalities.provisioning import host_for
from tenants.councils import actions
from tenants.councils.actions.dates import AMSTERDAM

pytestmark = pytest.mark.django_db


@pytest.fixture
def sheet(api, people, staff, ally_factory, make_council, in_utrecht):
    """A council whose municipal lead is Marieke van der Linden, with two allies (one with a login)."""
    with schema_context("public"):
        User.objects.filter(pk=staff.official.pk).update(first_name="Marieke", last_name="van der Linden")
    connection.set_tenant(in_utrecht)
    member = people.ally("utrecht", "sheet")
    council = make_council(
        allies=[
            ally_factory(user=member, first_name="Fatima", last_name="El Amrani", mobile="+31611111111"),
            ally_factory(first_name="Jan", infix="van der", last_name="Berg", mobile="+31622222222"),
        ]
    )
    return council, member


def _cards(text: str) -> list:
    return list(vobject.readComponents(text))


def test_vcard_round_trip_through_vobject(api, staff, sheet):
    council, member = sheet
    response = api(member).get(f"/api/v1/councils/{council.pk}/contact-sheet.vcf")
    assert response.status_code == 200
    cards = _cards(response.content.decode())
    assert len(cards) == 6  # two leads, two deputies, two allies
    by_fn = {card.fn.value: card for card in cards}

    marieke = by_fn["Marieke van der Linden"]
    assert marieke.version.value == "4.0"
    assert (marieke.n.value.family, marieke.n.value.given) == ("van der Linden", "Marieke")
    assert marieke.role.value == "Gemeente"
    assert marieke.title.value.startswith("Trekker gemeente")
    assert marieke.tel.value == f"tel:{staff.m_official.mobile}"
    # Sorted under L, as Dutch address books do (written as RFC 6350 §5.9's own "van der Harten" example).
    assert marieke.n.params["SORT-AS"] == ["Linden,Marieke"]

    jan = by_fn["Jan van der Berg"]
    assert (jan.n.value.family, jan.n.value.given) == ("van der Berg", "Jan")
    assert (jan.role.value, jan.tel.value) == ("Bondgenoot", "tel:+31622222222")
    fatima = by_fn["Fatima El Amrani"]
    assert (fatima.n.value.family, fatima.n.value.given) == ("El Amrani", "Fatima")

    roles = sorted(card.role.value for card in cards)
    assert roles == ["Bondgenoot", "Bondgenoot", "Gemeente", "Gemeente", "Politie", "Politie"]
    # Every card can be called: the staff numbers come from their memberships.
    assert all(card.tel.value.startswith("tel:+31") for card in cards)
    assert by_fn[staff.police.display_name].org.value == ["Politie"]
    # UIDs: one per person, without host or port, the same on the next download.
    uids = {card.uid.value for card in cards}
    assert len(uids) == 6 and not any("localhost" in uid or ":80" in uid for uid in uids)
    again = _cards(api(member).get(f"/api/v1/councils/{council.pk}/contact-sheet.vcf").content.decode())
    assert {card.uid.value for card in again} == uids


def test_json_sheet_carries_structured_names_and_sides(api, staff, sheet):
    council, member = sheet
    contacts = api(member).get(f"/api/v1/councils/{council.pk}/contact-sheet/").json()["contacts"]
    marieke = next(c for c in contacts if c["seat"] == "municipal_lead")
    assert (marieke["given_name"], marieke["infix"], marieke["surname"]) == ("Marieke", "van der", "Linden")
    assert {c["role_label"] for c in contacts} == {"gemeente", "politie", "bondgenoot"}
    # Sorted as a Dutch address book: by surname without its infix ("El Amrani" keeps its "El").
    assert [c["surname"] for c in contacts] == sorted((c["surname"] for c in contacts), key=str.casefold)


def _calendar_uids(client, council) -> dict[str, dict]:
    response = client.get(f"/api/v1/councils/{council.pk}/calendar.ics")
    assert response.status_code == 200, response.content
    calendar = vobject.readOne(response.content.decode())
    return {event.uid.value: event for event in calendar.vevent_list}


def test_ical_round_trip_and_uids_stable_across_hosts_and_ports(api, staff, sheet, utrecht, in_utrecht):
    council, member = sheet
    planned = actions.do_plan_meeting(
        council,
        starts_at=dt.datetime(2026, 12, 10, 18, 0, tzinfo=AMSTERDAM),
        place="Buurthuis De Boog, Utrecht",
        meal="Roti; met kip",
        acting_user=staff.official,
    )
    actions.do_plan_meeting(
        council,
        starts_at=dt.datetime(2026, 12, 20, 18, 0, tzinfo=AMSTERDAM),
        place="Moskee",
        meal="Soep",
        acting_user=staff.official,
    )
    with schema_context("public"):
        Domain.objects.create(domain=f"overleg-utrecht.{settings.AGORA_BASE_DOMAIN}", tenant=utrecht)
    from rest_framework.test import APIClient

    exports = []
    main, other = host_for("utrecht"), f"overleg-utrecht.{settings.AGORA_BASE_DOMAIN}"
    for host in (f"{main}:8000", f"{main}:18443", other):
        client = APIClient(HTTP_HOST=host)
        client.force_login(member)
        exports.append(_calendar_uids(client, council))
    assert len(exports[0]) == 2
    assert exports[0].keys() == exports[1].keys() == exports[2].keys()
    for uid in exports[0]:
        assert settings.AGORA_BASE_DOMAIN not in uid and "8000" not in uid and "overleg-" not in uid
    event = next(e for uid, e in exports[0].items() if f"meeting-{planned.pk}@" in uid)
    assert event.dtstart.value == planned.starts_at
    assert event.location.value == "Buurthuis De Boog, Utrecht"
    assert "Roti; met kip" in event.summary.value
