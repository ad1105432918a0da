"""Membership decides access per municipality; login and logout work on every host."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from agora.municipalities.provisioning import host_for
from tests.helpers import totp_code

PASSWORD = "correct horse battery staple"  # the conftest's People password


def test_member_of_a_gets_200_on_a_and_403_on_b(web, people) -> None:
    official = people.official("utrecht")
    assert web(official, "utrecht").get("/").status_code == 200
    response = web(official, "amersfoort").get("/")
    assert response.status_code == 403
    assert "Amersfoort" in response.content.decode()


@pytest.mark.parametrize("role", ["official", "police", "ally"])
def test_every_role_is_a_member_of_its_own_municipality_only(web, people, role) -> None:
    user = getattr(people, role)("amersfoort")
    assert web(user, "amersfoort").get("/").status_code == 200
    assert web(user, "utrecht").get("/").status_code == 403


def test_inactive_membership_grants_nothing(web, people) -> None:
    official = people.official("utrecht")
    membership = people.membership(official, "utrecht")
    membership.is_active = False
    membership.save()
    assert web(official, "utrecht").get("/").status_code == 403


def test_logged_in_member_of_nothing_is_forbidden(web, people) -> None:
    assert web(people.stranger(), "utrecht").get("/").status_code == 403


@pytest.mark.parametrize("slug", ["utrecht", "amersfoort"])
def test_anonymous_is_redirected_to_login(web, people, slug) -> None:
    response = web(None, slug).get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("slug", ["utrecht", "amersfoort", None])
def test_login_and_logout_pages_on_every_host(people, slug) -> None:
    client = Client(HTTP_HOST=host_for(slug) if slug else "localhost")
    response = client.get("/login/")
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()
    assert client.post("/logout/").status_code == 302


@pytest.mark.parametrize("slug", ["utrecht", "amersfoort"])
def test_real_login_post_with_csrf_then_logout(people, slug) -> None:
    user = people.police(slug)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client(HTTP_HOST=host_for(slug), enforce_csrf_checks=True)
    page = client.get("/login/")
    token = client.cookies["csrftoken"].value
    assert page.status_code == 200

    wrong = client.post(
        "/login/", {"username": user.username, "password": "wrong", "csrfmiddlewaretoken": token}
    )
    assert wrong.status_code == 200
    assert not wrong.wsgi_request.user.is_authenticated

    response = client.post(
        "/login/", {"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302, response.content
    # A police officer's login is complete with the authenticator code (docs/security.md).
    assert client.get("/")["Location"].startswith("/login/verify/")
    verified = client.post(
        "/login/verify/",
        {"otp_token": totp_code(device), "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    )
    assert verified.status_code == 302, verified.content
    home = client.get("/")
    assert home.status_code == 200
    assert user.display_name in home.content.decode()

    token = client.cookies["csrftoken"].value
    assert client.post("/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert client.get("/").status_code == 302  # logged out: back to the login page


def test_login_without_csrf_token_is_refused(people) -> None:
    user = people.official("utrecht")
    client = Client(HTTP_HOST=host_for("utrecht"), enforce_csrf_checks=True)
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 403


def test_session_from_login_on_a_grants_nothing_on_b(people) -> None:
    """Sessions are global (public schema); the membership check is what stops them."""
    user = people.official("utrecht")
    client = Client(HTTP_HOST=host_for("utrecht"))
    assert client.login(username=user.username, password=PASSWORD)
    assert client.get("/").status_code == 200
    assert client.get("/", HTTP_HOST=host_for("amersfoort")).status_code == 403
