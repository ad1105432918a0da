"""Sockets follow the pages' session rule: a password alone (a login that still owes its second
factor) or an expired session opens no socket (agora.accounts.session_policy)."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from agora.accounts import session_policy
from agora.municipalities.provisioning import host_for
from tests.helpers import totp_code
from tests.realtime.stack import communicator

pytestmark = pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))
PASSWORD = "correct horse battery staple"


def _password_session(user, slug: str = "utrecht") -> Client:
    client = Client(HTTP_HOST=host_for(slug), REMOTE_ADDR="192.0.2.77")
    assert client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def _officer_with_device(people):
    officer = people.police("utrecht", "socket-otp")
    return officer, TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)


async def _connects(cookie: str) -> tuple[bool, int | None]:
    socket = communicator("utrecht", cookie)
    connected, code = await socket.connect(timeout=5)
    await socket.disconnect()
    return connected, code


async def test_a_password_alone_opens_no_socket_for_the_police(towns, people) -> None:
    officer, device = await sync_to_async(_officer_with_device)(people)
    client = await sync_to_async(_password_session)(officer)
    cookie = client.cookies["sessionid"].value
    assert await _connects(cookie) == (False, 4401)

    response = await sync_to_async(client.post)("/login/verify/", {"otp_token": totp_code(device)})
    assert response.status_code == 302
    connected, _ = await _connects(client.cookies["sessionid"].value)
    assert connected


async def test_an_expired_session_opens_no_socket(towns, people) -> None:
    official = await sync_to_async(people.official)("utrecht", "socket-expired")
    client = await sync_to_async(_password_session)(official)
    connected, _ = await _connects(client.cookies["sessionid"].value)
    assert connected

    def age() -> None:
        session = client.session
        session[session_policy.SEEN_AT] -= settings.AGORA_SESSION_IDLE_SECONDS + 1
        session.save()

    await sync_to_async(age)()
    assert await _connects(client.cookies["sessionid"].value) == (False, 4401)
