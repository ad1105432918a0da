"""The crisis REST contract: declare, list, detail, events after k, idempotent messages, responses,
the timeline (JSON and HTML), drills; another municipality's ids are 404 whatever they are."""

from __future__ import annotations

import uuid

from django.db import connection

from tests.helpers import assert_error


def _declare(api, room):
    response = api(room.staff.official).post(
        "/api/v1/crises/",
        {
            "title": "Brand in flat",
            "kind": "incident",
            "council_ids": [room.council.pk],
            "neighbourhood_ids": [],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def test_declare_list_and_detail(api, room) -> None:
    crisis_id = _declare(api, room)
    listed = api(room.staff.police).get("/api/v1/crises/").json()["results"]
    assert [c["id"] for c in listed] == [crisis_id]
    detail = api(room.ally_users[0]).get(f"/api/v1/crises/{crisis_id}/").json()
    assert detail["deadline_at"] and detail["quorum"]["reached"] is False
    assert len(detail["rollcall"]) == 7
    assert "mobile" not in str(detail) and "+316" not in str(detail)


def test_declare_validates(api, room) -> None:
    client = api(room.staff.official)
    assert_error(client.post("/api/v1/crises/", {}, format="json"), "validation_failed", 400)
    body = {"title": "x", "kind": "incident", "council_ids": [987654321]}
    assert_error(
        client.post("/api/v1/crises/", body, format="json"), "crisis_council_outside_municipality", 400
    )
    body = {"title": "x", "kind": "incident", "council_ids": [room.council.pk]}
    assert_error(
        api(room.ally_users[0]).post("/api/v1/crises/", body, format="json"), "permission_denied", 403
    )


def test_messages_are_idempotent_and_events_resume(api, room) -> None:
    crisis_id = _declare(api, room)
    client = api(room.ally_users[0])
    msg = str(uuid.uuid4())
    first = client.post(
        f"/api/v1/crises/{crisis_id}/messages/", {"client_msg_id": msg, "body": "Ik kom"}, format="json"
    )
    again = client.post(
        f"/api/v1/crises/{crisis_id}/messages/", {"client_msg_id": msg, "body": "Ik kom"}, format="json"
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["seq"] == again.json()["seq"]
    answered = client.post(
        f"/api/v1/crises/{crisis_id}/responses/", {"answer": "coming", "eta_minutes": 12}, format="json"
    )
    assert answered.status_code == 201
    events = client.get(f"/api/v1/crises/{crisis_id}/events/?after=2").json()
    assert [e["kind"] for e in events["events"]] == ["message.posted", "rollcall.answered"]
    assert [e["seq"] for e in events["events"]] == [3, 4] and events["last_seq"] == 4
    assert events["events"][0]["client_msg_id"] == msg
    assert_error(
        client.post(
            f"/api/v1/crises/{crisis_id}/messages/", {"client_msg_id": "x", "body": "y"}, format="json"
        ),
        "validation_failed",
        400,
    )


def test_an_ally_not_convened_and_other_municipalities_get_404(api, room, people) -> None:
    crisis_id = _declare(api, room)
    for user, slug in ((people.ally("utrecht", "outsider"), "utrecht"),):
        assert api(user, slug).get(f"/api/v1/crises/{crisis_id}/").status_code == 404
        assert api(user, slug).get(f"/api/v1/crises/{crisis_id}/events/").status_code == 404
    # Amersfoort's official on Amersfoort's host: Utrecht's ids do not exist there.
    connection.set_schema_to_public()
    amersfoort = api(people.official("amersfoort"), "amersfoort")
    for crisis in (crisis_id, crisis_id + 1, 0, "١", "abc"):
        response = amersfoort.get(f"/api/v1/crises/{crisis}/")
        assert response.status_code == 404, (crisis, response.status_code)
        response = amersfoort.post(
            f"/api/v1/crises/{crisis}/messages/",
            {"client_msg_id": str(uuid.uuid4()), "body": "x"},
            format="json",
        )
        assert response.status_code == 404, (crisis, response.status_code)
    # ...and on Utrecht's host they are no member.
    assert (
        api(people.official("amersfoort"), "utrecht").get(f"/api/v1/crises/{crisis_id}/").status_code == 403
    )


def test_close_and_timeline_json_and_html(api, room) -> None:
    crisis_id = _declare(api, room)
    assert api(room.ally_users[0]).post(f"/api/v1/crises/{crisis_id}/close/").status_code == 403
    closed = api(room.staff.police).post(f"/api/v1/crises/{crisis_id}/close/")
    assert closed.status_code == 200 and closed.json()["closed_at"]
    timeline = api(room.ally_users[0]).get(f"/api/v1/crises/{crisis_id}/timeline/").json()
    assert "declaration_to_quorum_seconds" in timeline
    page = api(room.staff.official).get(f"/api/v1/crises/{crisis_id}/timeline/?format=html")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert "Tijdlijn na afloop" in page.content.decode()
    response = api(room.ally_users[0]).post(
        f"/api/v1/crises/{crisis_id}/messages/",
        {"client_msg_id": str(uuid.uuid4()), "body": "x"},
        format="json",
    )
    assert_error(response, "crisis_closed", 409)


def test_drills_over_rest(api, room) -> None:
    started = api(room.staff.official).post(
        "/api/v1/crisis-drills/", {"council_id": room.council.pk}, format="json"
    )
    assert started.status_code == 201
    drill_id = started.json()["id"]
    api(room.ally_users[1]).post(f"/api/v1/crises/{drill_id}/responses/", {"answer": "remote"}, format="json")
    latest = (
        api(room.staff.police).get(f"/api/v1/crisis-drills/?council={room.council.pk}").json()["results"][0]
    )
    assert (latest["drill_id"], latest["answered"], latest["called"]) == (drill_id, 1, 7)
    assert api(room.ally_users[1]).get("/api/v1/crisis-drills/").status_code == 403
