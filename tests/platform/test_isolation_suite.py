"""Two municipalities, every role, every endpoint: nothing of B reaches anyone through A, or B's host.

Generated, so that new endpoints join without anyone remembering: the HTTP routes come from the
tenant URLconf (the walk of ``tests/api/test_endpoint_permissions.py``, every method of every
route) and the socket routes from ``realtime.routing.websocket_urlpatterns``. Utrecht is A,
Amersfoort is B; both get one real row of every routed model (``tests.municipality_rows``), and
B's rows carry a marker (``geheimB``) in every name, title and e-mail address, and ids that do
not exist in A (B's sequences are moved past A's first).

For A's official, police officer and ally, each with a session and with an API token:

- **B's ids on A's host**: every item route with B's real ids answers 400/403/404/405 (a read:
  403/404), and no body holds B's marker;
- **A's credentials on B's host**: every route (collections, and items with B's real ids)
  answers 401/403, no marker;
- **forged headers**: ``X-Forwarded-Host: <B>`` on A's host is ignored (the answer is A's, no
  marker), ``Host: <B>`` with ``X-Forwarded-Host: <A>`` is B's (refused), and a host that is no
  municipality's is a 400 or 404 without data;
- **sockets**: every socket route on B's host with A's session is refused (closed, 4403).
"""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from agora.municipalities.provisioning import host_for
from realtime.routing import websocket_urlpatterns
from tests.api.test_endpoint_permissions import ITEMS, ROUTES, Route
from tests.municipality_rows import MunicipalityRows, build_rows

MARKER = "geheimB"
ROLES = ("official", "police", "ally")
B_IDS_FROM = 50_000_000


def _move_sequences_past(schema: str, start: int) -> None:
    """B's next ids start far beyond anything A has (setval is outside the transaction: harmless)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(format('%%I.%%I', schemaname, sequencename)::regclass, %s, false)"
            " FROM pg_sequences WHERE schemaname = %s",
            [start, schema],
        )


def _mark(rows: MunicipalityRows) -> None:
    """Put the marker in every text of B that a response could show."""
    from agora.accounts.models import Membership, User

    for figure in (rows.ally, rows.other, rows.bystander):
        type(figure).objects.filter(pk=figure.pk).update(
            first_name=f"{MARKER}{figure.pk}", last_name=MARKER, email=f"{MARKER}{figure.pk}@example.org"
        )
    for obj, field in (
        (rows.district, "name"),
        (rows.neighbourhood, "name"),
        (rows.community, "name"),
        (rows.council, "name"),
        (rows.meeting, "place"),
        (rows.agenda_item, "title"),
        (rows.crisis, "title"),
    ):
        type(obj).objects.filter(pk=obj.pk).update(**{field: f"{MARKER} {field}"})
    connection.set_schema_to_public()
    for user in (rows.official, rows.police, rows.ally_user):
        User.objects.filter(pk=user.pk).update(last_name=MARKER, email=f"{MARKER}-{user.pk}@example.org")
    Membership.objects.filter(pk__in=[rows.m_official.pk, rows.m_police.pk]).update(title=MARKER)


@pytest.fixture
def towns(people, utrecht, amersfoort) -> tuple[MunicipalityRows, MunicipalityRows]:
    a = build_rows(people, "utrecht")
    connection.set_tenant(amersfoort)
    _move_sequences_past(amersfoort.schema_name, B_IDS_FROM)
    b = build_rows(people, "amersfoort")
    assert b.council.pk >= B_IDS_FROM and b.ally.pk >= B_IDS_FROM, "B's ids overlap A's"
    _mark(b)
    connection.set_schema_to_public()
    return a, b


def _user(rows: MunicipalityRows, role: str):
    return {"official": rows.official, "police": rows.police, "ally": rows.ally_user}[role]


def _clients(user, slug: str, **extra) -> dict[str, APIClient]:
    """The user's session client and token client on ``slug``'s host."""
    from knox.models import AuthToken

    session = APIClient(HTTP_HOST=host_for(slug), **extra)
    session.force_login(user)
    token = APIClient(HTTP_HOST=host_for(slug), **extra)
    token.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user)[1]}")
    return {"session": session, "token": token}


def _call(client: APIClient, route: Route, url: str):
    return getattr(client, route.method)(url, {}, format="json")


def _leaks(response) -> bool:
    return MARKER.lower() in response.content.decode("utf-8", "replace").lower()


def test_the_suite_sees_the_api_and_the_sockets():
    assert len(ROUTES) > 80 and len(ITEMS) > 40, (len(ROUTES), len(ITEMS))
    assert {str(p.pattern) for p in websocket_urlpatterns} >= {"ws/events/", "ws/crisis/<str:crisis_id>/"}


@pytest.mark.parametrize("role", ROLES)
def test_b_ids_on_a_host_show_nothing_of_b(role, towns):
    a, b = towns
    problems = []
    for kind, client in _clients(_user(a, role), "utrecht").items():
        for route in ITEMS:
            response = _call(client, route, route.url_for(b))
            allowed = (403, 404) if route.method == "get" else (400, 403, 404, 405)
            if response.status_code not in allowed or _leaks(response):
                problems.append((kind, route.method, route.key, response.status_code, _leaks(response)))
    assert not problems, problems


@pytest.mark.parametrize("role", ROLES)
def test_a_credentials_on_b_host_are_refused(role, towns):
    a, b = towns
    problems = []
    for kind, client in _clients(_user(a, role), "amersfoort").items():
        for route in ROUTES:
            response = _call(client, route, route.url_for(b))
            if response.status_code not in (401, 403) or _leaks(response):
                problems.append((kind, route.method, route.key, response.status_code, _leaks(response)))
    assert not problems, problems


@pytest.mark.parametrize("role", ROLES)
def test_forged_forwarded_host_is_ignored(role, towns):
    """``X-Forwarded-Host`` is not trusted: on A's host it stays A; on B's host it stays B."""
    a, b = towns
    problems = []
    gets = [route for route in ROUTES if route.method == "get"]
    # A session is what a browser behind a forging proxy would carry; a token what a script would.
    forged_to_b = _clients(_user(a, role), "utrecht", HTTP_X_FORWARDED_HOST=host_for("amersfoort"))["session"]
    forged_to_a = _clients(_user(a, role), "amersfoort", HTTP_X_FORWARDED_HOST=host_for("utrecht"))["token"]
    plain = _clients(_user(a, role), "utrecht")["session"]
    for route in gets:
        url = route.url_for(b)
        expected = _call(plain, route, url).status_code
        response = _call(forged_to_b, route, url)
        if response.status_code != expected or _leaks(response):
            problems.append(("xfh->B", route.key, response.status_code, expected))
        response = _call(forged_to_a, route, route.url_for(a))
        if response.status_code not in (401, 403) or _leaks(response):
            problems.append(("B host, xfh->A", route.key, response.status_code))
    assert not problems, problems


@pytest.mark.parametrize(
    "host", ["evil.example", f"{host_for('amersfoort')}.evil.example", "amersfoort.localhost@evil.example"]
)
def test_a_host_of_no_municipality_shows_nothing(host, towns):
    a, b = towns
    client = APIClient(HTTP_HOST=host)
    client.force_login(a.official)
    for route in [r for r in ROUTES if r.method == "get"][:25]:
        response = client.get(route.url_for(b))
        assert response.status_code in (400, 403, 404), (host, route.key, response.status_code)
        assert not _leaks(response), (host, route.key)


# --- sockets ---------------------------------------------------------------------------------


def _socket_path(pattern, rows: MunicipalityRows) -> str:
    """A socket route with B's real ids (its crisis) in its parameters."""
    text = str(pattern.pattern)
    for name in getattr(pattern.pattern, "converters", {}):
        assert name == "crisis_id", f"socket parameter {name!r}: say which of B's rows it takes"
        text = text.replace(f"<str:{name}>", str(rows.crisis.pk))
    assert "<" not in text, text
    return "/" + text


@pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))
async def test_every_socket_route_on_b_host_refuses_a_session_of_a(people, utrecht, amersfoort):
    from channels.testing import WebsocketCommunicator

    from agora.asgi import application
    from tests.realtime.stack import session_cookie

    def build():
        from tests.conftest import ensure_test_municipality

        ensure_test_municipality("utrecht")
        ensure_test_municipality("amersfoort")
        a, b = build_rows(people, "utrecht"), build_rows(people, "amersfoort")
        connection.set_schema_to_public()
        return a, b

    a, b = await sync_to_async(build)()
    host = host_for("amersfoort")
    refused = []
    for pattern in websocket_urlpatterns:
        path = await sync_to_async(_socket_path)(pattern, b)
        for role in ROLES:
            cookie = await sync_to_async(session_cookie)(_user(a, role), "utrecht")
            for headers in (
                [(b"host", host.encode()), (b"origin", f"http://{host}".encode())],
                [
                    (b"host", host.encode()),
                    (b"origin", f"http://{host}".encode()),
                    (b"x-forwarded-host", host_for("utrecht").encode()),
                ],
            ):
                socket = WebsocketCommunicator(
                    application, path, headers=[*headers, (b"cookie", f"sessionid={cookie}".encode())]
                )
                connected, code = await socket.connect(timeout=5)
                refused.append((path, role, connected, code))
                await socket.disconnect()
    # The national stream lives on the public host only: on a municipality's host it is not found.
    expected = {path: 4404 if path.startswith("/ws/national/") else 4403 for path, *_ in refused}
    assert refused and all(
        not connected and code == expected[path] for path, _, connected, code in refused
    ), refused
