"""One login across hosts: the public host hands a member on to a municipality's host, once."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.test import Client

from agora.accounts.handoff import SALT, mint_handoff
from agora.accounts.models import Membership


def _token_from_public_host(user, slug: str) -> tuple[int, str]:
    public = Client(HTTP_HOST="localhost")
    public.force_login(user)
    response = public.get(f"/hand-off/{slug}/")
    if response.status_code != 302:
        return response.status_code, ""
    target = urlsplit(response["Location"])
    assert target.netloc == f"{slug}.localhost" and target.path == "/hand-off/"
    return 302, parse_qs(target.query)["token"][0]


def _redeem(slug: str, token: str) -> tuple[Client, int]:
    client = Client(HTTP_HOST=f"{slug}.localhost")
    return client, client.get("/hand-off/", {"token": token}).status_code


def test_a_member_of_two_municipalities_logs_in_once_and_opens_both(people, utrecht, amersfoort) -> None:
    officer = people.police("utrecht")
    Membership.objects.create(user=officer, municipality=amersfoort, role="police")
    for slug in ("utrecht", "amersfoort"):
        status, token = _token_from_public_host(officer, slug)
        assert status == 302
        client, status = _redeem(slug, token)
        assert status == 302
        assert client.get("/dashboard/").status_code == 200


def test_no_token_for_a_municipality_without_membership(people) -> None:
    status, _ = _token_from_public_host(people.official("utrecht"), "amersfoort")
    assert status == 403


def test_a_token_works_once(people) -> None:
    _, token = _token_from_public_host(people.official("utrecht"), "utrecht")
    assert _redeem("utrecht", token)[1] == 302
    client, status = _redeem("utrecht", token)
    assert status == 403
    assert client.get("/dashboard/").status_code == 302  # not logged in: to the login form


def test_a_token_for_one_municipality_does_not_open_another(people, amersfoort) -> None:
    official = people.official("utrecht")
    Membership.objects.create(user=official, municipality=amersfoort, role="official")
    _, token = _token_from_public_host(official, "utrecht")
    assert _redeem("amersfoort", token)[1] == 403


def test_a_membership_ended_after_minting_is_refused(people, utrecht) -> None:
    official = people.official("utrecht")
    token = mint_handoff(official, utrecht)
    Membership.objects.filter(user=official).update(is_active=False)
    assert _redeem("utrecht", token)[1] == 403


# Ids fixed: a signed token carries a timestamp, and pytest-xdist's workers must collect the same ids.
@pytest.mark.parametrize(
    "token",
    ["", "garbage", signing.dumps({"u": 1, "m": 1, "n": "x"}, salt="other")],
    ids=["empty", "garbage", "other-salt"],
)
def test_forged_tokens_are_refused(utrecht, token) -> None:
    assert _redeem("utrecht", token)[1] == 403


def test_an_expired_token_is_refused(people, utrecht, monkeypatch) -> None:
    token = mint_handoff(people.official("utrecht"), utrecht)
    monkeypatch.setattr("agora.accounts.handoff.MAX_AGE", -1)
    assert _redeem("utrecht", token)[1] == 403
    assert signing.loads(token, salt=SALT)["m"] == utrecht.pk  # genuine, only too old
