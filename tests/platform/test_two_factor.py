"""Two-factor login (TOTP): required for police, national analysts and operators, optional for
officials, off for allies; the code step comes after the password on every host."""

from __future__ import annotations

import itertools
import re

import pytest
from django.conf import settings
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from agora.accounts import two_factor
from agora.accounts.models import User
from agora.municipalities.provisioning import host_for
from tests.helpers import assert_error, totp_code

PASSWORD = "correct horse battery staple"
_addresses = itertools.count(1)


def _client(host: str | None = None) -> Client:
    n = next(_addresses)
    return Client(
        HTTP_HOST=host or host_for("utrecht"),
        REMOTE_ADDR=f"192.0.2.{n % 200 + 20}",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def _password_login(client: Client, user: User) -> None:
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    assert client.session["_auth_user_id"] == str(user.pk)


def _device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_the_policy_per_role(people):
    assert two_factor.two_factor_policy(people.police("utrecht")) == two_factor.TwoFactor.REQUIRED
    assert two_factor.two_factor_policy(people.official("utrecht")) == two_factor.TwoFactor.OPTIONAL
    assert two_factor.two_factor_policy(people.ally("utrecht")) == two_factor.TwoFactor.OFF
    analyst = people.stranger()
    analyst.is_national_analyst = True
    assert two_factor.two_factor_policy(analyst) == two_factor.TwoFactor.REQUIRED
    operator = User(username="op", is_superuser=True, is_staff=True)
    assert two_factor.two_factor_policy(operator) == two_factor.TwoFactor.REQUIRED


def test_a_police_officer_enrols_before_anything_else(people):
    officer = people.police("utrecht", "enrol")
    client = _client()
    _password_login(client, officer)

    response = client.get("/netwerk/")
    assert response.status_code == 302 and response["Location"].startswith("/login/enrol/")
    assert_error(client.get("/api/v1/key-figures/"), "otp_required", 403)

    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "<path" in body  # the QR code, drawn here
    assert "http" not in re.search(r"<svg.*?</svg>", body, re.S).group(0).replace("http://www.w3.org", "")
    secret = re.search(r'id="otp-secret">([A-Z2-7]+)<', body).group(1)
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    import base64

    assert base64.b32decode(secret) == device.bin_key

    wrong = client.post(
        "/login/enrol/", {"otp_token": "000000" if totp_code(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 400
    device.refresh_from_db()
    device.throttle_reset()  # django-otp makes the next try after a wrong code wait a moment
    done = client.post("/login/enrol/", {"otp_token": totp_code(device), "next": "/netwerk/"})
    assert done.status_code == 302 and done["Location"] == "/netwerk/"
    assert TOTPDevice.objects.get(user=officer).confirmed
    assert client.get("/netwerk/").status_code == 200
    assert client.get("/api/v1/key-figures/").status_code == 200


def test_an_enrolled_police_officer_verifies_a_code_after_the_password(people):
    officer = people.police("utrecht", "verify")
    device = _device(officer)
    client = _client()
    _password_login(client, officer)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/verify/")
    # Enrolling another phone is no way around the code.
    assert client.get("/login/enrol/")["Location"].startswith("/login/verify/")
    assert client.post("/login/verify/", {"otp_token": "12345x"}).status_code == 400
    response = client.post("/login/verify/", {"otp_token": totp_code(device), "next": "/"})
    assert response.status_code == 302
    assert client.get("/netwerk/").status_code == 200


def test_wrong_codes_count_towards_the_lockout(people):
    officer = people.police("utrecht", "guess-codes")
    device = _device(officer)
    client = _client()
    _password_login(client, officer)
    right = totp_code(device)
    statuses = []
    for n in range(12):
        guess = f"{(int(right) + 1 + n) % 1_000_000:06d}"
        statuses.append(client.post("/login/verify/", {"otp_token": guess}).status_code)
        if statuses[-1] == 429:
            break
    assert statuses[-1] == 429
    assert "_auth_user_id" not in client.session  # the half-done login ended


def test_an_official_may_enrol_and_is_then_asked_for_the_code(people):
    official = people.official("utrecht", "optional")
    client = _client()
    _password_login(client, official)
    assert client.get("/netwerk/").status_code == 200  # no code needed
    assert client.get("/login/enrol/").status_code == 200
    device = TOTPDevice.objects.get(user=official, confirmed=False)
    assert client.post("/login/enrol/", {"otp_token": totp_code(device)}).status_code == 302

    later = _client()
    _password_login(later, official)
    assert later.get("/netwerk/")["Location"].startswith("/login/verify/")
    device.refresh_from_db()
    assert later.post("/login/verify/", {"otp_token": totp_code(device, ahead=1)}).status_code == 302
    assert later.get("/netwerk/").status_code == 200


def test_allies_get_no_second_factor(people):
    ally = people.ally("utrecht", "no-otp")
    client = _client()
    _password_login(client, ally)
    assert client.get("/login/enrol/").status_code == 403
    assert not TOTPDevice.objects.filter(user=ally).exists()
    assert client.get("/").status_code in (200, 302)
    assert not client.get("/").get("Location", "").startswith("/login/")


def test_operators_admin_needs_the_code(people):
    operator = User.objects.create_superuser(username=f"operator-{next(_addresses)}", password=PASSWORD)
    device = _device(operator)
    client = _client(settings.AGORA_BASE_DOMAIN)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": operator.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/login/verify/")
    client.post("/login/verify/", {"otp_token": totp_code(device)})
    assert client.get("/admin/").status_code == 200


def test_a_national_analyst_needs_the_code(people):
    analyst = people.stranger()
    analyst.is_national_analyst = True
    analyst.save()
    client = _client(settings.AGORA_BASE_DOMAIN)
    _password_login(client, analyst)
    response = client.get("/national/")
    assert response.status_code == 302 and response["Location"].startswith("/login/enrol/")
    assert_error(client.get("/api/v1/national/districts/"), "otp_required", 403)


def test_the_hand_off_carries_the_verified_code_to_the_municipality(people, utrecht):
    officer = people.police("utrecht", "handoff-otp")
    device = _device(officer)
    public = _client(settings.AGORA_BASE_DOMAIN)
    _password_login(public, officer)
    public.post("/login/verify/", {"otp_token": totp_code(device)})
    response = public.get("/hand-off/utrecht/")
    assert response.status_code == 302
    target = response["Location"].split(host_for("utrecht"), 1)[1].split(":", 1)[-1]
    target = target[target.index("/") :]
    town = _client()
    assert town.get(target).status_code == 302
    assert town.get("/netwerk/").status_code == 200  # no second code on the municipality's host


def test_a_hand_off_without_the_code_does_not_skip_it(people, utrecht):
    officer = people.police("utrecht", "handoff-no-otp")
    _device(officer)
    public = _client(settings.AGORA_BASE_DOMAIN)
    _password_login(public, officer)
    response = public.get("/hand-off/utrecht/")
    assert response.status_code == 302 and response["Location"].startswith("/login/verify/")


@pytest.mark.parametrize("field", ["idle", "absolute"])
def test_sessions_expire_idle_and_absolute(people, web, field):
    from agora.accounts import session_policy

    official = people.official("utrecht", f"expiry-{field}")
    client = web(official)
    assert client.get("/netwerk/").status_code == 200
    session = client.session
    if field == "idle":
        session[session_policy.SEEN_AT] -= settings.AGORA_SESSION_IDLE_SECONDS + 1
    else:  # seen a moment ago, but logged in too long ago
        session[session_policy.AUTH_AT] -= settings.AGORA_SESSION_ABSOLUTE_SECONDS + 1
    session.save()
    response = client.get("/netwerk/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session


def test_a_busy_session_stays_within_the_idle_limit(people, web):
    from agora.accounts import session_policy

    client = web(people.official("utrecht", "busy"))
    session = client.session
    session[session_policy.SEEN_AT] -= settings.AGORA_SESSION_IDLE_SECONDS - 5
    session.save()
    assert client.get("/netwerk/").status_code == 200
    assert client.session[session_policy.SEEN_AT] > session[session_policy.SEEN_AT]


def test_log_out_everywhere_ends_the_other_sessions(people, web):
    official = people.official("utrecht", "everywhere-web")
    here, there = _client(), _client()
    _password_login(here, official)
    _password_login(there, official)
    response = here.post("/logout/everywhere/")
    assert response.status_code == 302
    assert there.get("/netwerk/")["Location"].startswith("/login/")
    assert here.get("/netwerk/")["Location"].startswith("/login/")
