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
