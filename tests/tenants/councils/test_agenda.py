"""The agenda: equal members, the relationship phase, international topics, two-sided overrides."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from agora.audit.models import AuditEvent
from tenants.councils import actions
from tenants.councils.models import AgendaItem, OverrideApproval
from tenants.councils.workflow import ALLOWED_AGENDA_TRANSITIONS, AgendaItemStatus, agenda_transition_allowed
from tests.helpers import assert_error
from tests.tenants.councils.conftest import hold_with_attendance

pytestmark = pytest.mark.django_db


def _hold(council, staff, count: int) -> None:
    for n in range(count):
        meeting = actions.do_plan_meeting(
            council,
            starts_at=timezone.now() - dt.timedelta(days=100 - n * 10),
            place="Buurthuis",
            meal="Soep",
            acting_user=staff.official,
        )
        hold_with_attendance(meeting, staff.official)


@pytest.fixture
def council_with_ally(people, staff, ally_factory, make_council):
    ally_user = people.ally("utrecht", "ag")
    council = make_council(
        allies=[ally_factory(user=ally_user), ally_factory(), ally_factory(), ally_factory()]
    )
    return council, ally_user


def _propose(client, council, **fields):
    return client.post(
        "/api/v1/council-agenda-items/",
        {"council": council.pk, "title": "Zwerfafval achter de flats", **fields},
        format="json",
    )


def test_every_member_may_propose_any_topic_ordered_by_time(api, staff, council_with_ally):
    council, ally_user = council_with_ally
    first = _propose(api(ally_user), council, title="Buurtbarbecue", kind="general")
    assert first.status_code == 201, first.json()
    second = _propose(api(staff.police), council, title="Cijfers van de wijk", kind="neighbourhood_figures")
    third = _propose(api(ally_user), council, title="Voetbaltoernooi")
    assert second.status_code == 201 and third.status_code == 201
    listed = api(ally_user).get(f"/api/v1/council-agenda-items/?council={council.pk}").json()["results"]
    # By time proposed: the police officer's item sits between the ally's two, no ranking by role.
    assert [item["title"] for item in listed] == ["Buurtbarbecue", "Cijfers van de wijk", "Voetbaltoernooi"]
    assert listed[0]["proposed_by"] == ally_user.pk


def test_local_problem_refused_in_the_relationship_phase(api, staff, council_with_ally, in_utrecht):
    council, ally_user = council_with_ally
    _hold(council, staff, 2)
    response = _propose(api(ally_user), council, kind="local_problem")
    body = assert_error(response, "relationship_phase", 400)
    assert "3" in body["detail"] and "2" in body["detail"]
    connection.set_tenant(in_utrecht)
    assert not AgendaItem.objects.exists()
    _hold(council, staff, 1)
    response = _propose(api(ally_user), council, kind="local_problem")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "open"


def test_relationship_phase_length_is_a_setting(api, staff, council_with_ally):
    council, ally_user = council_with_ally
    _hold(council, staff, 1)
    assert_error(_propose(api(ally_user), council, kind="local_problem"), "relationship_phase", 400)
    api(staff.official).patch("/api/v1/council-rules/", {"relationship_meetings": 1}, format="json")
    assert _propose(api(ally_user), council, kind="local_problem").status_code == 201


def test_relationship_phase_override_needs_both_leads(api, people, staff, council_with_ally, in_utrecht):
    council, ally_user = council_with_ally
    response = _propose(api(ally_user), council, kind="local_problem", request_override=True)
    assert_error(response, "override_reason_required", 400)
    response = _propose(
        api(ally_user),
        council,
        kind="local_problem",
        request_override=True,
        override_reason="Na de brand van vorige week willen bewoners dit nu bespreken.",
    )
    assert response.status_code == 201, response.json()
    item = response.json()
    assert item["status"] == "awaiting_override"
    assert item["override_rules"] == ["relationship_phase"]
    url = f"/api/v1/council-agenda-items/{item['id']}/approve-override/"

    # Not a lead: an ally, another official of the municipality.
    assert_error(api(ally_user).post(url), "permission_denied", 403)
    other_official = people.official("utrecht", "other")
    assert_error(api(other_official).post(url), "override_not_a_lead", 403)

    # The municipal lead approves; the municipal deputy cannot add a second "yes" from the same side.
    response = api(staff.official).post(url)
    assert response.status_code == 200 and response.json()["status"] == "awaiting_override"
    assert_error(api(staff.official2).post(url), "override_already_approved", 409)
    assert_error(api(staff.official).post(url), "override_already_approved", 409)
    body = assert_error(api(staff.official2, language="nl").post(url), "override_already_approved", 409)
    assert body["detail"].startswith("De gemeentekant heeft deze afwijking al goedgekeurd")
    assert "municipal" not in body["detail"]

    # The police deputy completes it.
    response = api(staff.police2).post(url)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "open"
    assert {a["side"] for a in body["approvals"]} == {"municipal", "police"}
    assert {a["approved_by"] for a in body["approvals"]} == {staff.official.pk, staff.police2.pk}
    assert_error(api(staff.police).post(url), "override_not_pending", 409)

    connection.set_tenant(in_utrecht)
    assert OverrideApproval.objects.filter(agenda_item_id=item["id"]).count() == 2
    granted = AuditEvent.objects.get(action="councils.agenda_override_granted", object_id=str(item["id"]))
    assert granted.detail["rules"] == ["relationship_phase"]
    assert granted.detail["fields"] == ["override_reason"]  # the reason itself stays in the tenant
    assert AuditEvent.objects.filter(action="councils.agenda_override_approved").count() == 2
    assert AuditEvent.objects.filter(action="councils.agenda_override_requested").count() == 1


def test_international_topic_is_refused_with_the_reason(api, staff, council_with_ally):
    council, ally_user = council_with_ally
    _hold(council, staff, 3)
    response = _propose(
        api(ally_user), council, title="Het conflict in het Midden-Oosten", is_international=True
    )
    body = assert_error(response, "international_topic", 400)
    assert "divide the council" in body["detail"]
    assert "local" in body["detail"]
    response = api(ally_user, language="nl").post(
        "/api/v1/council-agenda-items/",
        {"council": council.pk, "title": "Oorlog", "is_international": True},
        format="json",
    )
    assert "verdelen het overleg" in assert_error(response, "international_topic", 400)["detail"]


def test_international_topic_override_by_both_leads(api, staff, council_with_ally):
    council, _ally_user = council_with_ally
    response = _propose(
        api(staff.official),
        council,
        title="Spanningen in de wijk na een conflict elders",
        kind="local_problem",
        is_international=True,
        request_override=True,
        override_reason="Jongeren uit twee gemeenschappen raken hier slaags; lokaal effect.",
    )
    assert response.status_code == 201, response.json()
    item = response.json()
    assert item["override_rules"] == ["relationship_phase", "international_topic"]
    url = f"/api/v1/council-agenda-items/{item['id']}/approve-override/"
    assert api(staff.police).post(url).json()["status"] == "awaiting_override"
    assert api(staff.official2).post(url).json()["status"] == "open"


def test_proposing_for_another_council_is_not_found(api, people, staff, council_with_ally, make_council):
    _council, ally_user = council_with_ally
    other = make_council(allies=1)
    assert_error(_propose(api(ally_user), other), "not_found", 404)
    assert_error(_propose(api(people.stranger()), other), "permission_denied", 403)


def test_every_agenda_transition():
    statuses = list(AgendaItemStatus.values)
    allowed = {(a, b) for a in statuses for b in statuses if agenda_transition_allowed(a, b)}
    assert allowed == {
        (AgendaItemStatus.AWAITING_OVERRIDE, AgendaItemStatus.OPEN),
        (AgendaItemStatus.AWAITING_OVERRIDE, AgendaItemStatus.WITHDRAWN),
        (AgendaItemStatus.OPEN, AgendaItemStatus.DISCUSSED),
        (AgendaItemStatus.OPEN, AgendaItemStatus.WITHDRAWN),
    }
    assert set(ALLOWED_AGENDA_TRANSITIONS) == set(statuses)


def test_withdraw_own_item_and_discuss(api, people, staff, council_with_ally):
    council, ally_user = council_with_ally
    mine = _propose(api(ally_user), council, title="Mijn punt").json()
    staffs = _propose(api(staff.official), council, title="Punt van de gemeente").json()
    # An ally withdraws their own item, not somebody else's, and cannot mark items discussed.
    assert_error(
        api(ally_user).post(f"/api/v1/council-agenda-items/{staffs['id']}/status/", {"status": "withdrawn"}),
        "permission_denied",
        403,
    )
    assert_error(
        api(ally_user).post(f"/api/v1/council-agenda-items/{mine['id']}/status/", {"status": "discussed"}),
        "permission_denied",
        403,
    )
    response = api(ally_user).post(
        f"/api/v1/council-agenda-items/{mine['id']}/status/", {"status": "withdrawn"}
    )
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    response = api(staff.police).post(
        f"/api/v1/council-agenda-items/{staffs['id']}/status/", {"status": "discussed"}
    )
    assert response.json()["status"] == "discussed"
    assert_error(
        api(staff.police).post(
            f"/api/v1/council-agenda-items/{staffs['id']}/status/", {"status": "withdrawn"}
        ),
        "invalid_transition",
        409,
    )


def test_item_for_a_planned_meeting_of_this_council_only(api, staff, council_with_ally, make_council):
    council, ally_user = council_with_ally
    other = make_council(allies=1)
    theirs = actions.do_plan_meeting(
        other, starts_at=dt.datetime(2026, 12, 1, 18), place="x", meal="Soep", acting_user=staff.official
    )
    mine = actions.do_plan_meeting(
        council, starts_at=dt.datetime(2026, 12, 2, 18), place="x", meal="Soep", acting_user=staff.official
    )
    assert_error(_propose(api(ally_user), council, meeting=theirs.pk), "not_found", 404)
    response = _propose(api(ally_user), council, meeting=mine.pk)
    assert response.status_code == 201 and response.json()["meeting"] == mine.pk
