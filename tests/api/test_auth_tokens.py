"""API tokens: stored hashed, expiring, revoked at logout, everywhere, and when a right ends.

The endpoint keeps its contract (``POST /api/v1/auth/token/`` with ``username`` and
``password``, answering ``{"token": ...}``, used as ``Authorization: Token <token>``); users who
must use a second factor also send ``otp_token``.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient

from agora.accounts.models import User
from agora.municipalities.provisioning import host_for
from tests.helpers import assert_error

PASSWORD = "correct horse battery staple"
_addresses = itertools.count(1)


@pytest.fixture
def client() -> APIClient:
    n = next(_addresses)
    return APIClient(
        HTTP_HOST=host_for("utrecht"), REMOTE_ADDR=f"192.0.2.{n % 250 + 1}", HTTP_ACCEPT_LANGUAGE="en"
    )


def _login(client: APIClient, user: User, **extra) -> str:
    response = client.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD, **extra})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"token", "expiry"}
    return body["token"]


def _get(token: str, path: str = "/api/v1/key-figures/") -> int:
    """200 for a working token; a refused one is "not authenticated" (401, or 403 while the API
    answers credential failures that way)."""
    response = APIClient(HTTP_HOST=host_for("utrecht"), HTTP_AUTHORIZATION=f"Token {token}").get(path)
    if response.status_code != 200:
        assert_error(response, "not_authenticated")
    return 200 if response.status_code == 200 else 401


def _device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_the_token_is_stored_only_as_a_hash(client, people):
    user = people.official("utrecht", "hashed")
    token = _login(client, user)
    assert _get(token) == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest, token_key FROM knox_authtoken WHERE user_id = %s", [user.pk])
        rows = cursor.fetchall()
    assert len(rows) == 1
    digest, token_key = rows[0]
    assert token not in digest and len(token_key) < len(token) // 2
    with connection.cursor() as cursor:  # DRF's plain-text token table is not used any more
        cursor.execute("SELECT to_regclass('authtoken_token') IS NULL")
        assert cursor.fetchone()[0]


def test_the_token_expires(client, people):
    user = people.official("utrecht", "expiring")
    token = _login(client, user)
    row = AuthToken.objects.get(user=user)
    assert timezone.now() + dt.timedelta(hours=11) < row.expiry < timezone.now() + dt.timedelta(hours=13)
    AuthToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    assert _get(token) == 401


def test_logout_revokes_the_token_it_presents_only(client, people):
    user = people.official("utrecht", "logout")
    first, second = _login(client, user), _login(client, user)
    api = APIClient(HTTP_HOST=host_for("utrecht"), HTTP_AUTHORIZATION=f"Token {first}")
    assert api.post("/api/v1/auth/logout/").status_code == 204
    assert _get(first) == 401
    assert _get(second) == 200


def test_log_out_everywhere_ends_every_token_and_every_session(client, people, utrecht):
    user = people.official("utrecht", "everywhere")
    first, second = _login(client, user), _login(client, user)
    page = Client(HTTP_HOST=host_for("utrecht"))
    response = page.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert page.get("/api/v1/key-figures/").status_code == 200

    api = APIClient(HTTP_HOST=host_for("utrecht"), HTTP_AUTHORIZATION=f"Token {first}")
    response = api.post("/api/v1/auth/logout-all/")
    assert response.status_code == 200 and response.json() == {"api_tokens_revoked": 2}
    assert _get(first) == 401 and _get(second) == 401
    assert page.get("/api/v1/key-figures/").status_code in (401, 403)
    # Logging in again works: everywhere ended what existed, not the account.
    assert _get(_login(client, user)) == 200


def test_deactivating_the_account_revokes_its_tokens(client, people):
    user = people.official("utrecht", "deactivated")
    token = _login(client, user)
    user.is_active = False
    user.save()
    assert not AuthToken.objects.filter(user=user).exists()
    assert _get(token) == 401


def test_ending_a_membership_revokes_the_tokens(client, people):
    user = people.official("utrecht", "ended")
    token = _login(client, user)
    membership = people.membership(user)
    membership.is_active = False
    membership.save()
    assert not AuthToken.objects.filter(user=user).exists()
    assert _get(token) == 401


def test_a_police_officer_needs_a_code_for_a_token(client, people):
    officer = people.police("utrecht", "otp-api")
    response = client.post("/api/v1/auth/token/", {"username": officer.username, "password": PASSWORD})
    assert_error(response, "otp_not_enrolled", 403)

    device = _device(officer)
    response = client.post("/api/v1/auth/token/", {"username": officer.username, "password": PASSWORD})
    assert_error(response, "otp_required", 400)
    assert "otp_token" in response.json()["fields"]
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(
        "/api/v1/auth/token/", {"username": officer.username, "password": PASSWORD, "otp_token": wrong}
    )
    assert_error(response, "otp_invalid", 400)
    device.refresh_from_db()
    device.throttling_failure_count = 0  # django-otp slows down the next try after a wrong code
    device.throttling_failure_timestamp = None
    device.save()
    assert _get(_login(client, officer, otp_token=_code(device))) == 200
    assert not AuthToken.objects.filter(user=officer).count() > 1


def test_an_official_without_a_second_factor_needs_no_code(client, people):
    assert _get(_login(client, people.official("utrecht", "no-otp"))) == 200
