"""Request ids in and out, and JSON log lines with ids only: no names, no e-mail, no raw paths."""

from __future__ import annotations

import logging
import uuid

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django_tenants.utils import schema_context

from agora.municipalities.provisioning import host_for
from agora.observability import context
from agora.observability.middleware import RequestContextMiddleware


def test_a_sane_incoming_request_id_comes_back(utrecht) -> None:
    response = Client(HTTP_HOST=host_for("utrecht")).get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a-0042")
    assert response["X-Request-ID"] == "lb-7f3a-0042"


@pytest.mark.parametrize(
    "incoming",
    [None, "", "x" * 65, "has space", "semi;colon", "nieuwe\nregel", "jan@example.org", "ü-umlaut"],
)
def test_a_missing_or_odd_request_id_is_replaced_by_a_uuid4(utrecht, incoming) -> None:
    extra = {} if incoming is None else {"HTTP_X_REQUEST_ID": incoming}
    response = Client(HTTP_HOST=host_for("utrecht")).get("/healthz", **extra)
    given = response["X-Request-ID"]
    assert given != incoming
    assert uuid.UUID(given).version == 4


def test_every_request_gets_its_own_id(utrecht) -> None:
    client = Client(HTTP_HOST=host_for("utrecht"))
    ids = {client.get("/login/")["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


def test_log_lines_inside_a_request_carry_its_id_and_none_after(json_log) -> None:
    inside = logging.getLogger("agora.test")

    def view(request):
        inside.info("inside the view")
        return HttpResponse("ok")

    request = RequestFactory().get("/somewhere/42/?q=secret", HTTP_X_REQUEST_ID="abc-123")
    response = RequestContextMiddleware(view)(request)
    inside.info("after the request")
    assert response["X-Request-ID"] == "abc-123"
    by_message = {line["message"]: line for line in json_log.lines()}
    assert by_message["inside the view"]["request_id"] == "abc-123"
    assert by_message["after the request"]["request_id"] is None
    assert context.request_id.get() is None
    access = json_log.access()
    assert len(access) == 1
    assert access[0]["route"] == "<unmatched>"
    # Neither the path nor its query reaches the log ("42" alone would also match a timestamp).
    assert "somewhere" not in json_log.text and "secret" not in json_log.text


def test_the_access_line_of_a_logged_in_user_holds_ids_not_the_person(utrecht, people, json_log) -> None:
    user = people.official("utrecht")
    with schema_context("public"):
        user.first_name, user.last_name = "Janneke", "Zwartvoet"
        user.email = "janneke.zwartvoet@example.org"
        user.save()
    client = Client(HTTP_HOST=host_for("utrecht"))
    client.force_login(user)
    response = client.get("/?zoek=Zwartvoet", HTTP_X_REQUEST_ID="req-1")
    assert response.status_code == 200
    assert "Janneke" in response.content.decode()  # the page names her; the log must not
    line = json_log.access()[-1]
    assert line["request_id"] == "req-1"
    assert line["tenant"] == utrecht.schema_name
    assert line["user_id"] == user.pk
    assert line["route"] == "/"
    assert line["method"] == "GET" and line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert set(line) >= {"time", "level", "logger", "message"}
    for personal in ("Janneke", "Zwartvoet", "janneke.zwartvoet@example.org", user.username, "zoek"):
        assert personal not in json_log.text


def test_the_route_is_the_pattern_not_the_path(utrecht, people, json_log) -> None:
    client = Client(HTTP_HOST=host_for("utrecht"))
    client.force_login(people.official("utrecht"))
    client.get("/api/v1/signals/987654/")
    line = json_log.access()[-1]
    assert "987654" not in json_log.text
    assert line["route"].startswith("/api/v1/")
    assert line["status"] == 404


def test_an_api_token_request_logs_the_tokens_user_id(utrecht, people, json_log) -> None:
    """DRF authenticates inside the view: the access line still has the user's id, not their name."""
    from rest_framework.test import APIClient

    user = people.official("utrecht")
    client = APIClient(HTTP_HOST=host_for("utrecht"))
    answer = client.post(
        "/api/v1/auth/token/", {"username": user.username, "password": "correct horse battery staple"}
    )
    assert answer.status_code == 200, answer.content
    token = answer.json()["token"]
    response = APIClient(HTTP_HOST=host_for("utrecht")).get("/api/v1/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    line = json_log.access()[-1]
    assert line["route"] == "/api/v1/" and line["user_id"] == user.pk
    assert token not in json_log.text and user.username not in json_log.text
