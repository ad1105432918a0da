"""The WebSocket origin check: the Origin must be the socket's own host (or absent).

Every municipality's host is an allowed host, so "some allowed host" is not enough: a page on
amersfoort.<base> must not open utrecht.<base>'s feed with the user's Utrecht session.
"""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings

from realtime.origin import same_origin
from tests.realtime.stack import communicator, session_cookie

# The sockets read committed data (see test_events_stack); the pure checks need no database.
stack = pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))


@pytest.mark.parametrize(
    ("origin", "host", "allowed"),
    [
        ("http://utrecht.localhost", "utrecht.localhost", True),
        ("https://utrecht.localhost", "utrecht.localhost", True),
        ("http://UTRECHT.localhost", "utrecht.localhost", True),
        ("http://utrecht.localhost:8000", "utrecht.localhost:8000", True),
        ("http://utrecht.localhost:80", "utrecht.localhost", True),  # the default port, spelled out
        ("https://utrecht.localhost", "utrecht.localhost:443", True),
        ("http://[::1]:8000", "[::1]:8000", True),
        (None, "utrecht.localhost", True),  # no Origin: not a browser (see realtime/origin.py)
        ("http://amersfoort.localhost", "utrecht.localhost", False),  # another municipality
        ("http://localhost", "utrecht.localhost", False),  # the parent domain
        ("http://evil.utrecht.localhost", "utrecht.localhost", False),  # a subdomain
        ("http://utrecht.localhost.evil.example", "utrecht.localhost", False),
        ("http://utrecht.localhost:8001", "utrecht.localhost:8000", False),  # another port
        ("http://utrecht.localhost:8000", "utrecht.localhost", False),
        ("https://utrecht.localhost", "utrecht.localhost:80", False),
        ("null", "utrecht.localhost", False),  # opaque origin (sandboxed frame, file:)
        ("", "utrecht.localhost", False),
        ("file://utrecht.localhost", "utrecht.localhost", False),
        ("http://utrecht.localhost:99999", "utrecht.localhost", False),
        ("http://evil.example", "evil.example", False),  # same, but not an allowed host
        (None, "evil.example", False),
    ],
)
def test_same_origin(origin, host, allowed) -> None:
    assert same_origin(origin, host) is allowed


@pytest.mark.parametrize(
    ("origin", "host", "scheme", "allowed"),
    [
        ("http://utrecht.localhost", "utrecht.localhost", "ws", True),
        ("https://utrecht.localhost", "utrecht.localhost", "wss", True),
        ("https://utrecht.localhost", "utrecht.localhost", "https", True),  # daphne, forwarded proto
        ("https://utrecht.localhost", "utrecht.localhost", "ws", False),  # a TLS page, a plain socket
        ("http://utrecht.localhost", "utrecht.localhost", "wss", False),  # a plain page, a TLS socket
        ("https://utrecht.localhost:443", "utrecht.localhost:443", "ws", False),
        ("http://utrecht.localhost", "utrecht.localhost", "gopher", False),
        (None, "utrecht.localhost", "wss", True),  # no Origin: not a browser
    ],
)
def test_same_origin_includes_the_scheme(origin, host, scheme, allowed) -> None:
    assert same_origin(origin, host, scheme) is allowed


async def _connect(slug: str, user, origin: str | None) -> tuple[bool, int | None]:
    cookie = await sync_to_async(session_cookie)(user, slug) if user is not None else None
    socket = communicator(slug, cookie, origin=origin)
    connected, code = await socket.connect(timeout=5)
    await socket.disconnect()
    return connected, code


@stack
async def test_another_municipalitys_origin_is_refused(towns, people) -> None:
    official = await sync_to_async(people.official)("utrecht")
    assert (await _connect("utrecht", official, "http://amersfoort.localhost"))[0] is False
    assert (await _connect("utrecht", official, "http://utrecht.localhost"))[0] is True


@stack
async def test_the_base_domains_origin_is_refused(towns, people) -> None:
    official = await sync_to_async(people.official)("utrecht")
    assert (await _connect("utrecht", official, "http://localhost"))[0] is False


@stack
async def test_without_origin_a_member_connects_and_a_stranger_does_not(towns, people) -> None:
    official = await sync_to_async(people.official)("utrecht")
    assert (await _connect("utrecht", official, None))[0] is True
    # The origin check lets it through; the session check still refuses the anonymous.
    assert await _connect("utrecht", None, None) == (False, 4401)


@stack
async def test_two_origin_headers_are_refused(towns, people) -> None:
    from channels.testing import WebsocketCommunicator

    from agora.asgi import application

    official = await sync_to_async(people.official)("utrecht")
    cookie = await sync_to_async(session_cookie)(official, "utrecht")
    socket = WebsocketCommunicator(
        application,
        "/ws/events/",
        headers=[
            (b"host", b"utrecht.localhost"),
            (b"origin", b"http://utrecht.localhost"),
            (b"origin", b"http://amersfoort.localhost"),
            (b"cookie", f"sessionid={cookie}".encode()),
        ],
    )
    connected, _ = await socket.connect(timeout=5)
    await socket.disconnect()
    assert not connected
