"""Helpers of the full-stack WebSocket tests: sessions, sockets on a municipality's host."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from agora.asgi import application
from agora.municipalities.provisioning import host_for


def session_cookie(user, slug: str) -> str:
    client = Client(HTTP_HOST=host_for(slug))
    client.force_login(user)
    return client.cookies["sessionid"].value


def communicator(
    slug: str, session: str | None = None, *, origin: str | None = "same"
) -> WebsocketCommunicator:
    """A socket on ``slug``'s host; the Origin is that host unless given (None: no Origin)."""
    host = host_for(slug)
    headers = [(b"host", host.encode())]
    if origin == "same":
        origin = f"http://{host}"
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if session:
        headers.append((b"cookie", f"sessionid={session}".encode()))
    return WebsocketCommunicator(application, "/ws/events/", headers=headers)


async def connect_member(slug: str, user) -> WebsocketCommunicator:
    cookie = await sync_to_async(session_cookie)(user, slug)
    socket = communicator(slug, cookie)
    connected, code = await socket.connect(timeout=5)
    assert connected, code
    hello = await socket.receive_json_from(timeout=5)
    assert hello["event"] == "hello"
    assert hello["payload"]["municipality"] == slug
    return socket
