"""The municipality's council rules: the method's defaults, editable by staff, checked to add up."""

from __future__ import annotations

import pytest
from django.db import connection

from agora.audit.models import AuditEvent
from tenants.councils.models import CouncilRules
from tenants.councils.rules import current_rules
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

DEFAULTS = {
    "max_size": 12,
    "municipal_seats": 1,
    "police_seats": 1,
    "max_allies": 10,
    "recommended_start_min": 4,
    "recommended_start_max": 5,
    "meeting_interval_weeks": 6,
    "relationship_meetings": 3,
    "signal_overdue_days": 14,
    "stale_contact_months": 6,
}


def test_defaults_are_the_methods(in_utrecht):
    rules = current_rules()
    assert {name: getattr(rules, name) for name in DEFAULTS} == DEFAULTS
    assert current_rules().pk == rules.pk
    assert CouncilRules.objects.count() == 1


def test_each_municipality_has_its_own_rules(api, staff, people, in_utrecht):
    response = api(staff.official).patch("/api/v1/council-rules/", {"signal_overdue_days": 7}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["signal_overdue_days"] == 7
    amersfoort_official = people.official("amersfoort")
    body = api(amersfoort_official, "amersfoort").get("/api/v1/council-rules/").json()
    assert body["signal_overdue_days"] == 14
    connection.set_tenant(in_utrecht)
    assert current_rules().signal_overdue_days == 7
    event = AuditEvent.objects.get(action="councils.rules_updated")
    assert event.detail["changed"] == {"signal_overdue_days": [14, 7]}
    assert event.actor == staff.official


@pytest.mark.parametrize(
    "change",
    [
        {"recommended_start_min": 6},  # min above max (5)
        {"recommended_start_max": 11},  # more than max_allies
        {"max_size": 2},  # no seat left for an ally
        {"police_seats": 0},
        {"meeting_interval_weeks": 0},
    ],
)
def test_rules_that_do_not_add_up_are_refused(api, staff, in_utrecht, change):
    assert_error(
        api(staff.official).patch("/api/v1/council-rules/", change, format="json"),
        "council_rules_invalid",
        400,
    )
    connection.set_tenant(in_utrecht)
    assert {name: getattr(current_rules(), name) for name in DEFAULTS} == DEFAULTS


def test_only_staff_change_the_rules(api, people, staff):
    ally_user = people.ally("utrecht", "r")
    assert api(ally_user).get("/api/v1/council-rules/").status_code == 200
    assert_error(
        api(ally_user).patch("/api/v1/council-rules/", {"max_allies": 3}, format="json"),
        "permission_denied",
        403,
    )
    assert_error(api(people.stranger()).get("/api/v1/council-rules/"), "permission_denied", 403)
    assert_error(
        api(staff.official).patch("/api/v1/council-rules/", {"max_allies": "veel"}, format="json"),
        "validation_failed",
        400,
    )


@pytest.mark.parametrize(
    "change",
    [
        {"stale_contact_months": 32767},
        {"stale_contact_months": 121},
        {"meeting_interval_weeks": 53},
        {"signal_overdue_days": 366},
        {"max_size": 51},
        {"relationship_meetings": 53},
    ],
)
def test_rules_have_upper_bounds(api, staff, in_utrecht, change):
    client = api(staff.official)
    body = assert_error(
        client.patch("/api/v1/council-rules/", change, format="json"), "council_rules_invalid", 400
    )
    assert set(change) <= set(body["fields"])
    connection.set_tenant(in_utrecht)
    assert {name: getattr(current_rules(), name) for name in DEFAULTS} == DEFAULTS
    # Health still answers (it used to raise AssertionError("unreachable") for 32767 months).
    assert client.get("/api/v1/councils/health/").status_code == 200


def test_rules_at_their_upper_bounds_are_accepted(api, staff, make_council):
    make_council()
    client = api(staff.official)
    response = client.patch(
        "/api/v1/council-rules/",
        {"stale_contact_months": 120, "meeting_interval_weeks": 52, "signal_overdue_days": 365},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert client.get("/api/v1/councils/health/").status_code == 200


def test_rules_reason_is_all_dutch_or_all_english(api, staff):
    nl = assert_error(
        api(staff.official, language="nl").patch("/api/v1/council-rules/", {"max_size": 2}, format="json"),
        "council_rules_invalid",
    )
    assert nl["detail"] == (
        "Deze overlegregels kloppen niet: "
        "bij deze maximale omvang blijft er geen zetel over voor een bondgenoot."
    )
    en = assert_error(
        api(staff.official, language="en").patch("/api/v1/council-rules/", {"max_size": 2}, format="json"),
        "council_rules_invalid",
    )
    assert en["detail"] == "These council rules do not add up: max_size leaves no seat for an ally."
    nl = assert_error(
        api(staff.official, language="nl").patch(
            "/api/v1/council-rules/", {"stale_contact_months": 500}, format="json"
        ),
        "council_rules_invalid",
    )
    assert "stale_contact_months" not in nl["detail"] and "maanden" in nl["detail"]
