"""Leads and deputies must be reachable: a number before they are seated, flagged when it is missing,
and tap-to-call links for the allies of their council."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import translation
from django_tenants.utils import schema_context

from agora.accounts.models import Membership
from agora.audit.models import PersonRecordRead
from tenants.councils import actions
from tenants.councils.health import council_health
from tests.helpers import assert_error, assert_raises_code

pytestmark = pytest.mark.django_db


def _without_number(people, key: str, role: str = "police") -> Membership:
    user = people.member(role, "utrecht", key, mobile="")
    return people.membership(user)


def test_seating_a_lead_without_a_number_is_refused_with_a_code(api, people, staff, make_council, in_utrecht):
    silent = _without_number(people, "silent")
    with assert_raises_code("lead_without_mobile") as caught:
        make_council(police_lead_id=silent.pk)
    assert caught.value.fields == {"police_lead": ["no mobile number"]}
    assert "mobiel nummer" in caught.value.message("nl") and "mobile number" in caught.value.message("en")
    council = make_council()
    with assert_raises_code("lead_without_mobile"):
        actions.do_set_council_leads(
            council,
            municipal_lead_id=staff.m_official.pk,
            police_lead_id=staff.m_police.pk,
            police_deputy_id=silent.pk,
            acting_user=staff.official,
        )
    council.refresh_from_db()
    assert council.police_deputy_id == staff.m_police2.pk
    body = {"municipal_lead": staff.m_official.pk, "police_lead": silent.pk}
    response = api(staff.official, language="nl").put(
        f"/api/v1/councils/{council.pk}/leads/", body, format="json"
    )
    assert_error(response, "lead_without_mobile", 400)
    assert "mobiel nummer" in response.json()["detail"]


def test_an_existing_seat_without_a_number_is_flagged_not_broken(api, staff, make_council, in_utrecht):
    council = make_council()
    with schema_context("public"):
        Membership.objects.filter(pk=staff.m_police.pk).update(mobile="")
    connection.set_tenant(in_utrecht)
    # Other changes still go through, the same people may stay in their seats ...
    actions.do_update_council(council, name="Hernoemd", acting_user=staff.official)
    actions.do_set_council_leads(
        council,
        municipal_lead_id=staff.m_official.pk,
        municipal_deputy_id=staff.m_official2.pk,
        police_lead_id=staff.m_police.pk,
        police_deputy_id=staff.m_police2.pk,
        acting_user=staff.official,
    )
    # ... and health says who cannot be called.
    health = api(staff.official).get(f"/api/v1/councils/{council.pk}/health/").json()
    assert health["councils"][0]["gaps"] == [{"code": "lead_without_mobile", "side": "police"}]
    assert health["gaps"]["lead_without_mobile"] == 1
    body = api(staff.official).get(f"/api/v1/councils/{council.pk}/").json()
    assert body["police_lead"]["has_mobile"] is False and body["municipal_lead"]["has_mobile"] is True
    assert (
        "mobile" not in body["police_deputy"]
    )  # the staff view says reachable or not, the sheet has numbers


def test_a_complete_council_has_no_seat_gaps(staff, make_council, in_utrecht):
    council = make_council()
    assert council_health(council.pk)["councils"][0]["gaps"] == []


def test_allies_get_tap_to_call_links_for_their_leads(
    api, people, staff, ally_factory, make_council, in_utrecht
):
    member = people.ally("utrecht", "call")
    council = make_council(allies=[ally_factory(user=member), ally_factory(), ally_factory(), ally_factory()])
    with schema_context("public"):
        Membership.objects.filter(pk=staff.m_official2.pk).update(mobile="")
        type(staff.police).objects.filter(pk=staff.police.pk).update(email="bram@politie.invalid")
    connection.set_tenant(in_utrecht)
    body = api(member, language="nl").get(f"/api/v1/councils/{council.pk}/").json()
    calls = {c["seat"]: c for c in body["call"]}
    assert set(calls) == {
        "police_lead",
        "police_deputy",
        "municipal_lead",
    }  # the deputy without a number: none
    assert calls["police_lead"] == {
        "seat": "police_lead",
        "side": "police",
        "name": staff.police.display_name,
        "label": "Bel de wijkagent",
        "tel": f"tel:{staff.m_police.mobile}",
    }
    assert calls["municipal_lead"]["label"] == "Bel de gemeente"
    assert "bram@politie.invalid" not in str(body)  # no e-mail of others in the ally's view
    listed = api(member).get("/api/v1/councils/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert rows[0]["call"][0]["tel"].startswith("tel:+31")
    reads = PersonRecordRead.objects.filter(actor=member, record_type="accounts.User")
    assert {r.record_id for r in reads} >= {str(staff.police.pk), str(staff.official.pk)}
    with translation.override("en"):
        english = api(member, language="en").get(f"/api/v1/councils/{council.pk}/").json()
    assert {c["label"] for c in english["call"]} == {
        "Call the neighbourhood police officer",
        "Call the municipality",
    }
