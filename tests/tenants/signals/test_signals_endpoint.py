"""``/api/v1/signals/``: who may do what, the ally's narrowed view, filters, codes, tenant boundary."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_tenants.utils import tenant_context

from agora.audit.models import PersonRecordRead
from tenants.signals import actions
from tenants.signals.models import Signal
from tests.helpers import assert_error

URL = "/api/v1/signals/"


def body(town, **overrides) -> dict:
    data = {
        "category": "pest",
        "neighbourhood_id": town.neighbourhood.pk,
        "description": "Ratten in de tuin.",
    }
    data.update(overrides)
    return data


def test_strangers_and_other_municipalities_get_403(town, people, api):
    for user in (people.stranger(), people.official("amersfoort"), people.ally("amersfoort", "a1")):
        client = api(user, "utrecht")
        assert_error(client.get(URL), "permission_denied", 403)
        assert_error(client.post(URL, body(town), format="json"), "permission_denied", 403)
    assert_error(api(None, "utrecht").get(URL), "not_authenticated")


def test_an_ally_raises_and_sees_only_their_own_signals_and_answers(town, people, api):
    ally = api(town.ally_user)
    response = ally.post(URL, body(town), format="json")
    assert response.status_code == 201, response.json()
    mine = response.json()
    assert (mine["ally_id"], mine["status"], mine["raised_on_behalf"]) == (town.ally.pk, "new", False)

    theirs = actions.do_raise_signal(
        category="safety",
        neighbourhood_id=town.neighbourhood.pk,
        description="Iets anders.",
        acting_user=town.other_ally_user,
    )
    staff = api(town.official)
    owner = people.membership(town.police).pk
    assert (
        staff.post(f"{URL}{mine['id']}/assign/", {"owner_membership_id": owner}, format="json").status_code
        == 200
    )
    answered = api(town.police).post(
        f"{URL}{mine['id']}/answer/", {"body": "Melding doorgezet."}, format="json"
    )
    assert answered.status_code == 201
    assert answered.json()["response_time_seconds"] is not None

    listing = ally.get(URL).json()
    assert [row["id"] for row in listing["results"]] == [mine["id"]]
    detail = ally.get(f"{URL}{mine['id']}/").json()
    assert [a["body"] for a in detail["answers"]] == ["Melding doorgezet."]
    assert detail["status"] == "answered"
    assert detail["owner"]["role"] == "police"
    # Someone else's signal is a 404, the same as a missing one.
    assert_error(ally.get(f"{URL}{theirs.pk}/"), "not_found", 404)
    assert_error(ally.post(f"{URL}{theirs.pk}/reopen/", {}, format="json"), "not_found", 404)
    assert_error(ally.get(f"{URL}999999999/"), "not_found", 404)
    assert_error(ally.get(f"{URL}99999999999999999999999/"), "not_found", 404)
    # Staff see both.
    assert {row["id"] for row in staff.get(URL).json()["results"]} == {mine["id"], theirs.pk}


def test_an_ally_cannot_raise_for_another_or_run_staff_actions(town, people, api):
    ally = api(town.ally_user)
    assert_error(
        ally.post(URL, body(town, ally_id=town.other_ally.pk), format="json"), "signal_own_only", 403
    )
    signal = ally.post(URL, body(town), format="json").json()
    owner = people.membership(town.police).pk
    for path, data in (("assign", {"owner_membership_id": owner}), ("answer", {"body": "x"}), ("close", {})):
        assert_error(ally.post(f"{URL}{signal['id']}/{path}/", data, format="json"), "permission_denied", 403)


def test_staff_walk_a_signal_through_the_api(town, people, api):
    staff = api(town.official)
    created = staff.post(URL, body(town, ally_id=town.ally.pk, category="illegal_dumping"), format="json")
    assert created.status_code == 201
    signal = created.json()
    assert signal["raised_on_behalf"] is True
    base = f"{URL}{signal['id']}"
    assert_error(
        staff.post(f"{base}/answer/", {"body": "Te vroeg"}, format="json"), "invalid_transition", 409
    )
    assert_error(staff.post(f"{base}/close/", {}, format="json"), "invalid_transition", 409)
    assert (
        staff.post(
            f"{base}/assign/", {"owner_membership_id": people.membership(town.official).pk}
        ).status_code
        == 200
    )
    assert staff.post(f"{base}/answer/", {"body": "Grofvuil wordt morgen opgehaald."}).status_code == 201
    closed = staff.post(f"{base}/close/", {"note": "Opgehaald."}, format="json").json()
    assert closed["status"] == "closed" and closed["closed_at"]
    assert_error(staff.post(f"{base}/reopen/", {}, format="json"), "signal_reopen_by_ally_only", 403)
    reopened = api(town.ally_user).post(f"{base}/reopen/", {"note": "Er ligt weer wat."}, format="json")
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "assigned"
    assert [h["to_status"] for h in reopened.json()["history"]] == [
        "new",
        "assigned",
        "answered",
        "closed",
        "assigned",
    ]


def test_rule_codes_through_the_api(town, people, api):
    staff = api(town.official)
    assert_error(staff.post(URL, body(town), format="json"), "signal_ally_required", 400)
    assert_error(
        staff.post(URL, body(town, ally_id=town.non_ally.pk), format="json"), "signal_not_an_ally", 400
    )
    assert_error(
        staff.post(URL, body(town, ally_id=10**9), format="json"), "signal_ally_outside_municipality", 400
    )
    assert_error(
        staff.post(URL, body(town, ally_id=town.ally.pk, neighbourhood_id=10**9), format="json"),
        "signal_neighbourhood_outside_municipality",
        400,
    )
    response = staff.post(URL, body(town, ally_id=town.ally.pk, category="graffiti"), format="json")
    assert "category" in assert_error(response, "validation_failed", 400)["fields"]
    signal = staff.post(URL, body(town, ally_id=town.ally.pk), format="json").json()
    foreign = people.membership(people.police("amersfoort"), "amersfoort").pk
    assert_error(
        staff.post(f"{URL}{signal['id']}/assign/", {"owner_membership_id": foreign}, format="json"),
        "signal_owner_outside_municipality",
        400,
    )
    ally_membership = people.membership(town.ally_user).pk
    assert_error(
        staff.post(f"{URL}{signal['id']}/assign/", {"owner_membership_id": ally_membership}, format="json"),
        "signal_owner_not_staff",
        400,
    )


def test_filters(town, people, api):
    from django.utils import timezone

    from tenants.networkmap.models import Neighbourhood

    other = Neighbourhood.objects.create(name="Zuilen")
    late = actions.do_raise_signal(
        category="safety",
        neighbourhood_id=town.neighbourhood.pk,
        description="Oud.",
        acting_user=town.ally_user,
        raised_at=timezone.now() - timedelta(days=20),
    )
    fresh = actions.do_raise_signal(
        category="pest", neighbourhood_id=other.pk, description="Nieuw.", acting_user=town.ally_user
    )
    actions.do_assign_signal_owner(
        fresh, owner_membership_id=people.membership(town.police).pk, acting_user=town.official
    )
    staff = api(town.police)

    def ids(query: str) -> set[int]:
        response = staff.get(f"{URL}?{query}")
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids("") == {late.pk, fresh.pk}
    assert ids("status=assigned") == {fresh.pk}
    assert ids("category=safety") == {late.pk}
    assert ids(f"neighbourhood={other.pk}") == {fresh.pk}
    assert ids("overdue=true") == {late.pk}
    assert ids("overdue=false") == {fresh.pk}
    assert ids("status=new&overdue=true&category=safety") == {late.pk}
    rows = {row["id"]: row for row in staff.get(URL).json()["results"]}
    assert rows[late.pk]["is_overdue"] is True and rows[fresh.pk]["is_overdue"] is False
    assert_error(staff.get(f"{URL}?status=lost"), "validation_failed", 400)
    assert_error(staff.get(f"{URL}?overdue=maybe"), "validation_failed", 400)
    # Staff reading allies' names is logged.
    assert PersonRecordRead.objects.filter(actor=town.police, record_id=str(town.ally.pk)).exists()


@pytest.mark.parametrize("path", ["", "answer/", "reopen/"])
def test_ids_of_another_municipality_are_404(town, amersfoort, amersfoort_town, people, api, path):
    with tenant_context(amersfoort):
        foreign = actions.do_raise_signal(
            category="pest",
            neighbourhood_id=amersfoort_town.neighbourhood.pk,
            description="In Amersfoort.",
            acting_user=amersfoort_town.ally_user,
        )
    assert not Signal.objects.filter(pk=foreign.pk).exists()  # Utrecht has no signal with this id
    user = town.official if path != "reopen/" else town.ally_user
    client = api(user, "utrecht")
    response = (
        client.post(f"{URL}{foreign.pk}/{path}", {"body": "x"}) if path else client.get(f"{URL}{foreign.pk}/")
    )
    assert_error(response, "not_found", 404)
    # And Utrecht's people get nothing on Amersfoort's host.
    assert_error(api(town.official, "amersfoort").get(f"{URL}{foreign.pk}/"), "permission_denied", 403)


def test_the_ally_sees_the_course_and_answers_but_no_internal_notes_or_staff_details(town, people, api):
    town.official.first_name, town.official.last_name = "Els", "de Vries"
    town.official.save()
    town.police.first_name, town.police.last_name = "Karim", "Bakker"
    town.police.save()
    staff = api(town.official)
    signal = staff.post(URL, body(town, ally_id=town.ally.pk), format="json").json()
    base = f"{URL}{signal['id']}"
    owner = people.membership(town.police).pk
    note = "Bewoner staat bekend bij de wijkagent; eerst navragen bij zorg."
    assert staff.post(f"{base}/assign/", {"owner_membership_id": owner, "note": note}).status_code == 200
    assert api(town.police).post(f"{base}/answer/", {"body": "We komen dinsdag kijken."}).status_code == 201
    assert staff.post(f"{base}/close/", {"note": "Intern: dossier 2026-114 bijgewerkt."}).status_code == 200

    # Staff keep the full record, notes included.
    full = staff.get(f"{base}/").json()
    assert [h["note"] for h in full["history"]][1:] == [note, "", "Intern: dossier 2026-114 bijgewerkt."]

    ally = api(town.ally_user)
    for mine in (ally.get(f"{base}/").json(), ally.get(URL).json()["results"][0]):
        assert [(h["from_status"], h["to_status"]) for h in mine["history"]] == [
            ("", "new"),
            ("new", "assigned"),
            ("assigned", "answered"),
            ("answered", "closed"),
        ]
        assert all(set(h) == {"from_status", "to_status", "changed_at"} for h in mine["history"])
        assert mine["answers"] == [
            {
                "id": mine["answers"][0]["id"],
                "body": "We komen dinsdag kijken.",
                "author_first_name": "Karim",
                "created_at": mine["answers"][0]["created_at"],
            }
        ]
        assert mine["owner"] == {"role": "police", "first_name": "Karim"}
        assert mine["raised_on_behalf"] is True
        text = str(mine)
        for internal in ("Intern", "wijkagent", "Bakker", "de Vries", "Els", "raised_by_name", "is_overdue"):
            assert internal not in text, internal
        assert "membership_id" not in mine["owner"]


@pytest.mark.parametrize("path", ["assign/", "answer/", "close/", "reopen/"])
def test_actions_on_a_missing_id_are_404_before_the_body_is_checked(town, api, path):
    user = town.ally_user if path == "reopen/" else town.official
    client = api(user)
    for data in ({}, {"owner_membership_id": "x", "body": "", "note": "x" * 5000}):
        assert_error(client.post(f"{URL}999999/{path}", data, format="json"), "not_found", 404)
    # Someone else's signal, too: for an ally it does not exist.
    theirs = actions.do_raise_signal(
        category="pest",
        neighbourhood_id=town.neighbourhood.pk,
        description="Van de ander.",
        acting_user=town.other_ally_user,
    )
    if path == "reopen/":
        assert_error(client.post(f"{URL}{theirs.pk}/{path}", {"note": 1}, format="json"), "not_found", 404)


def _answered_signal(town, people, *, ally_user=None) -> Signal:
    signal = actions.do_raise_signal(
        category="pest",
        neighbourhood_id=town.neighbourhood.pk,
        description="Ratten.",
        acting_user=ally_user or town.ally_user,
    )
    actions.do_assign_signal_owner(
        signal, owner_membership_id=people.membership(town.police).pk, acting_user=town.official
    )
    actions.do_answer_signal(signal, body="Bestrijder is geweest.", acting_user=town.police)
    return signal


def test_reopen_is_the_allys_move_and_only_on_their_own_signal(town, people, api):
    """``POST /signals/{id}/reopen/``: the ally who raised it reopens it; nobody else does."""
    mine = _answered_signal(town, people)
    theirs = _answered_signal(town, people, ally_user=town.other_ally_user)
    url = f"{URL}{mine.pk}/reopen/"

    # Staff see the signal but it is not their move: the action's own refusal, nothing changes.
    for staff in (town.official, town.police):
        assert_error(api(staff).post(url, {}, format="json"), "signal_reopen_by_ally_only", 403)
    # Another ally of the same municipality: the signal does not exist for them.
    assert_error(api(town.other_ally_user).post(url, {}, format="json"), "not_found", 404)
    # Strangers and members of another municipality do not pass the gate.
    for outsider in (people.stranger(), people.ally("amersfoort", "a1"), people.official("amersfoort")):
        assert_error(api(outsider).post(url, {}, format="json"), "permission_denied", 403)
    mine.refresh_from_db()
    assert mine.status == "answered"

    reopened = api(town.ally_user).post(url, {"note": "Nog steeds ratten."}, format="json")
    assert reopened.status_code == 200, reopened.json()
    assert reopened.json()["status"] == "assigned"
    # Reopening twice is no move of the workflow (assigned is not reopenable).
    assert_error(api(town.ally_user).post(url, {}, format="json"), "invalid_transition", 409)
    # The other ally's signal stays theirs, whatever the first ally tries.
    assert_error(api(town.ally_user).post(f"{URL}{theirs.pk}/reopen/", {}, format="json"), "not_found", 404)
    theirs.refresh_from_db()
    assert theirs.status == "answered"


def test_the_reopen_action_itself_refuses_another_allys_signal(town, people):
    """The action holds without the view: another ally calling it directly is refused."""
    from tests.helpers import assert_raises_code

    theirs = _answered_signal(town, people, ally_user=town.other_ally_user)
    with assert_raises_code("signal_reopen_by_ally_only", status=403):
        actions.do_reopen_signal(theirs, acting_user=town.ally_user)
    with assert_raises_code("signal_reopen_by_ally_only", status=403):
        actions.do_reopen_signal(theirs, acting_user=town.official)
    theirs.refresh_from_db()
    assert theirs.status == "answered"


def test_ids_in_other_scripts_digits_are_not_ids(town, people, api):
    """Only ASCII digits are ids (agora.ids): "٣" in a path is a 404, in a body a 400."""
    from urllib.parse import quote

    signal = actions.do_raise_signal(
        category="pest", neighbourhood_id=town.neighbourhood.pk, description="x", acting_user=town.ally_user
    )
    staff = api(town.official)
    lookalike = quote(str(signal.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")))
    assert staff.get(f"{URL}{signal.pk}/").status_code == 200
    assert_error(staff.get(f"{URL}{lookalike}/"), "not_found", 404)
    assert_error(staff.get(f"/api/v1/notices/{lookalike}/"), "not_found", 404)
    full_width = str(town.neighbourhood.pk).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    response = staff.post(URL, body(town, neighbourhood_id=full_width, ally_id=town.ally.pk), format="json")
    assert "neighbourhood_id" in assert_error(response, "validation_failed", 400)["fields"]
    assert Signal.objects.count() == 1
