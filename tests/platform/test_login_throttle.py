"""Password guessing on /login/ is stopped per (user name, address); tests/platform/test_login_lockout.py
holds the other ways in."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from agora.accounts import login_attempts
from agora.municipalities.provisioning import host_for


@pytest.fixture
def guesser(utrecht):
    client = Client(HTTP_HOST=host_for("utrecht"), REMOTE_ADDR="203.0.113.7", HTTP_ACCEPT_LANGUAGE="nl")
    yield client


def test_too_many_failures_block_even_the_right_password(guesser, people):
    user = people.official("utrecht")
    for _ in range(login_attempts.MAX_FAILURES):
        response = guesser.post("/login/", {"username": user.username, "password": "wrong guess"})
        assert response.status_code == 200  # the form again, with an error
    response = guesser.post(
        "/login/", {"username": user.username, "password": "correct horse battery staple"}
    )
    assert response.status_code == 429
    assert "Te veel mislukte inlogpogingen" in response.content.decode()
    assert "_auth_user_id" not in guesser.session
    cache.delete(login_attempts._key(response.wsgi_request, user.username))


def test_the_right_password_works_below_the_limit(guesser, people):
    user = people.official("utrecht", "throttle")
    for _ in range(login_attempts.MAX_FAILURES - 1):
        guesser.post("/login/", {"username": user.username, "password": "wrong guess"})
    response = guesser.post(
        "/login/", {"username": user.username, "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    cache.delete(login_attempts._key(response.wsgi_request, user.username))
