"""One lockout for every way in: /login/, the admin login and the API token endpoint.

Failures are counted per (user name, client address) together, the address being what the
trusted proxy says (``AGORA_TRUSTED_PROXIES``; 0 = ``REMOTE_ADDR``, X-Forwarded-For ignored).
So a rotating X-Forwarded-For escapes nothing, a shared office address does not lock out the
office's other staff, and a guesser elsewhere cannot lock a user out (docs/security.md).
"""

from __future__ import annotations

import itertools

import pytest
from django.conf import settings as django_settings
from django.test import Client

from agora.accounts import login_attempts
from agora.municipalities.provisioning import host_for
from tests.helpers import assert_error

PASSWORD = "correct horse battery staple"
_addresses = itertools.count(1)


@pytest.fixture
def address() -> str:
    """A fresh client address per test: the counters live in the (shared) cache, not the database."""
    n = next(_addresses)
    return f"198.51.{n // 250}.{n % 250 + 1}"


def _client(address: str, host: str | None = None) -> Client:
    return Client(HTTP_HOST=host or host_for("utrecht"), REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")


def _fail_on_login(client: Client, username: str, times: int = login_attempts.MAX_FAILURES, **extra) -> None:
    for _ in range(times):
        response = client.post("/login/", {"username": username, "password": "wrong guess"}, **extra)
        assert response.status_code == 200  # the form again, with an error


def _token(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password}, **extra)


def test_a_rotating_forwarded_for_does_not_escape_the_token_endpoint_lockout(utrecht, people, address):
    user = people.official("utrecht", "rotating")
    client = _client(address)
    statuses = [
        _token(client, user.username, "wrong guess", HTTP_X_FORWARDED_FOR=f"10.9.{n}.{n}").status_code
        for n in range(login_attempts.MAX_FAILURES + 2)
    ]
    # Ten wrong passwords are answered; after them the lockout (or the rate limit) answers 429,
    # whatever address the client claims: neither keys on a header the client writes.
    assert statuses[: login_attempts.MAX_FAILURES] == [400] * login_attempts.MAX_FAILURES
    assert statuses[login_attempts.MAX_FAILURES :] == [429, 429]
    response = _token(client, user.username, HTTP_X_FORWARDED_FOR="10.200.0.1")
    assert response.status_code == 429
    assert "token" not in response.json()


def test_a_rotating_forwarded_for_does_not_escape_the_login_page_lockout(utrecht, people, address):
    user = people.official("utrecht", "rotating-page")
    client = _client(address)
    for n in range(login_attempts.MAX_FAILURES):
        _fail_on_login(client, user.username, times=1, HTTP_X_FORWARDED_FOR=f"10.8.{n}.1")
    response = client.post(
        "/login/", {"username": user.username, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="10.8.99.1"
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_locked_out_of_the_login_page_means_no_token_and_no_admin_either(utrecht, people, address):
    user = people.official("utrecht", "every-way")
    client = _client(address)
    _fail_on_login(client, user.username)

    response = _token(client, user.username)
    assert_error(response, "login_throttled", 429)

    # The operators' admin on the public host shares the same counter: the right password is refused.
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    admin = _client(address, host=django_settings.AGORA_BASE_DOMAIN)
    response = admin.post("/admin/login/?next=/admin/", {"username": user.username, "password": PASSWORD})
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in admin.session


def test_failures_on_the_token_endpoint_lock_the_login_page_too(utrecht, people, address):
    user = people.official("utrecht", "token-first")
    client = _client(address)
    for _ in range(login_attempts.MAX_FAILURES):
        assert _token(client, user.username, "wrong guess").status_code == 400
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_two_users_on_one_shared_address(utrecht, people, address):
    """A guesser at the town hall locks out one user name there, not the town hall's other staff."""
    guessed = people.official("utrecht", "guessed")
    colleague = people.official("utrecht", "colleague")
    office = _client(address)
    _fail_on_login(office, guessed.username)

    assert _token(_client(address), colleague.username).status_code == 200
    colleague_page = _client(address)
    response = colleague_page.post("/login/", {"username": colleague.username, "password": PASSWORD})
    assert response.status_code == 302
    assert colleague_page.session["_auth_user_id"] == str(colleague.pk)

    # The guessed user is locked out at that address only: from home, their own password works.
    assert _token(_client(address), guessed.username).status_code == 429
    assert _token(_client(f"{address}9"), guessed.username).status_code == 200


def test_nobody_elsewhere_can_lock_a_user_out(utrecht, people, address):
    victim = people.police("utrecht", "victim")
    attacker = _client("203.0.113.250")
    _fail_on_login(attacker, victim.username)
    assert attacker.post("/login/", {"username": victim.username, "password": PASSWORD}).status_code == 429
    assert _token(_client(address), victim.username).status_code != 429


def test_behind_one_trusted_proxy_the_proxys_entry_is_the_address(utrecht, people, address, settings):
    """With one proxy, its own entry (the last) is the client; entries before it are the client's words."""
    settings.AGORA_TRUSTED_PROXIES = 1
    user = people.official("utrecht", "proxied")
    proxy = _client("10.0.0.2")
    for n in range(login_attempts.MAX_FAILURES):
        response = proxy.post(
            "/login/",
            {"username": user.username, "password": "wrong guess"},
            HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, {address}",
        )
        assert response.status_code == 200
    locked = proxy.post(
        "/login/",
        {"username": user.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR=f"7.7.7.7, {address}",
    )
    assert locked.status_code == 429
    # Another client behind the same proxy is another address: not locked out.
    elsewhere = proxy.post(
        "/login/",
        {"username": user.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR=f"{address}, 192.0.2.77",
    )
    assert elsewhere.status_code == 302


def test_client_address_honours_the_number_of_trusted_proxies(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 2.2.2.2, 3.3.3.3")
    settings.AGORA_TRUSTED_PROXIES = 0
    assert login_attempts.client_address(request) == "10.0.0.2"
    settings.AGORA_TRUSTED_PROXIES = 1
    assert login_attempts.client_address(request) == "3.3.3.3"
    settings.AGORA_TRUSTED_PROXIES = 2
    assert login_attempts.client_address(request) == "2.2.2.2"
    settings.AGORA_TRUSTED_PROXIES = 5  # fewer entries than proxies: the furthest one reported
    assert login_attempts.client_address(request) == "1.1.1.1"
    settings.AGORA_TRUSTED_PROXIES = 1
    bare = rf.get("/", REMOTE_ADDR="10.0.0.2")
    assert login_attempts.client_address(bare) == "10.0.0.2"
