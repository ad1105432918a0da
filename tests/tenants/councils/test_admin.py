"""The municipality's admin saves councils, meetings and rules through the actions."""

from __future__ import annotations

import pytest
from django.db import connection

from agora.audit.models import AuditEvent
from tenants.councils.models import Acknowledgement, Council, CouncilRules, Meeting

pytestmark = pytest.mark.django_db


def _council_form(staff, allies, **extra) -> dict:
    return {
        "name": "Overleg via admin",
        "covers_whole_municipality": "on",
        "municipal_lead": staff.m_official.pk,
        "police_lead": staff.m_police.pk,
        "started_on": "2026-06-01",
        "allies": [kf.pk for kf in allies],
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
        **extra,
    }


def test_admin_creates_a_council_through_the_action(web, staff, ally_factory, in_utrecht):
    allies = [ally_factory() for _ in range(4)]
    response = web(staff.official).post("/admin/councils/council/add/", _council_form(staff, allies))
    assert response.status_code == 302, response.content.decode()[:3000]
    connection.set_tenant(in_utrecht)
    council = Council.objects.get()
    assert council.members.count() == 4
    assert (
        AuditEvent.objects.filter(action="councils.council_created", object_id=str(council.pk)).count() == 1
    )


def test_admin_shows_a_broken_rule_as_a_form_error(web, staff, ally_factory, in_utrecht):
    CouncilRules.objects.update_or_create(
        singleton=True, defaults={"max_allies": 2, "recommended_start_min": 1, "recommended_start_max": 2}
    )
    allies = [ally_factory() for _ in range(3)]
    response = web(staff.official).post("/admin/councils/council/add/", _council_form(staff, allies))
    assert response.status_code == 200
    assert (
        "at most 2 allies" in response.content.decode()
        or "hoogstens 2 bondgenoten" in response.content.decode()
    )
    connection.set_tenant(in_utrecht)
    assert not Council.objects.exists()
    assert not AuditEvent.objects.filter(action="councils.council_created").exists()


def test_admin_needs_the_administrator_acknowledgement(web, people, staff, in_utrecht):
    mayor = people.official("utrecht", "mayor", title="burgemeester")
    form = _council_form(staff, [], municipal_lead=people.membership(mayor).pk)
    response = web(staff.official).post("/admin/councils/council/add/", form)
    assert response.status_code == 200
    connection.set_tenant(in_utrecht)
    assert not Council.objects.exists()
    form["acknowledge_administrator"] = "on"
    response = web(staff.official).post("/admin/councils/council/add/", form)
    assert response.status_code == 302
    connection.set_tenant(in_utrecht)
    assert Acknowledgement.objects.get().acknowledged_by == staff.official


def test_admin_meeting_needs_a_meal(web, staff, make_council, in_utrecht):
    council = make_council()
    form = {
        "council": council.pk,
        "starts_at_0": "2026-12-10",
        "starts_at_1": "18:00",
        "place": "Buurthuis",
        "meal": "",
        "attendance-TOTAL_FORMS": "0",
        "attendance-INITIAL_FORMS": "0",
    }
    response = web(staff.official).post("/admin/councils/meeting/add/", form)
    assert response.status_code == 200
    connection.set_tenant(in_utrecht)
    assert not Meeting.objects.exists()
    form["meal"] = "Stamppot"
    response = web(staff.official).post("/admin/councils/meeting/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    connection.set_tenant(in_utrecht)
    assert Meeting.objects.get().meal == "Stamppot"


def test_allies_and_strangers_have_no_admin(web, people, staff):
    ally_user = people.ally("utrecht", "adm")
    for user in (ally_user, people.stranger()):
        response = web(user).get("/admin/councils/council/")
        assert response.status_code in (302, 403)
        assert "Overleg" not in response.content.decode()
