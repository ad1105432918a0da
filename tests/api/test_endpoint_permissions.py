"""Every ``/api/v1/`` endpoint refuses outsiders: generated from the URLconf, not from a list.

The routes are read from the tenant URLconf (``agora.urls_tenants``) at collection time, so an
endpoint added later by any app is checked without anyone remembering to add it here. Every
route is checked with EVERY HTTP method it serves (a viewset route's mapping, an APIView's
handlers). Item routes are called with REAL ids of rows of this municipality
(``tests.municipality_rows``): a route probed with an id that does not exist answers 404
whatever its gate does, so such a probe cannot fail.

- collection routes: anonymous → 401/403; a logged-in user with no membership (a stranger) →
  403; a member of the *other* municipality → 403;
- item routes (real ids): the same outsiders → 401/403 (never 404: the row exists, the gate
  must refuse before any lookup); with an id that does not exist, this municipality's own
  official gets 404 on a read (403/405 or 400 for a write whose body is checked first);
- an ally of *this* municipality, calling item routes with the ally's OWN rows (their key
  figure, council, meeting, agenda item, signal, notice), is refused (403 or 405) everywhere
  except the (method, route) pairs of ``ALLY_ALLOWED`` below, each with the reason an ally may
  use it; a NEW endpoint that admits allies fails here until someone decides, in that table;
- this municipality's official and police officer get a list on every GET collection route
  (not a 403, not a 5xx); and no role gets a 5xx from any route with any method.

A route whose URL cannot be built from its pattern fails the test (rather than being skipped),
so that a new kind of pattern extends this file instead of escaping it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, converters, get_resolver

from tests.municipality_rows import ROUTE_ROWS, MunicipalityRows, build_rows

TENANT_URLCONF = "agora.urls_tenants"
API_PREFIX = "api/v1/"
# Deliberately not member-gated: logging in to get a token must work without being a member, and
# anyone logged in may end their own token or sessions (tests/api/test_auth_tokens.py checks them).
PUBLIC_ROUTES = frozenset({"api/v1/auth/token/", "api/v1/auth/logout/", "api/v1/auth/logout-all/"})

MISSING_INT = "987654321"
MISSING_BY_CONVERTER = {
    converters.IntConverter: MISSING_INT,
    converters.UUIDConverter: str(uuid.UUID(int=0)),
    converters.SlugConverter: "no-such-item",
    converters.StringConverter: "no-such-item",
    converters.PathConverter: "no-such-item",
}
NAMED_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^()]*\)")
ROUTE_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
METHOD_PREFERENCE = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Route:
    pattern: str  # the full pattern text, e.g. "api/v1/^key-figures/(?P<pk>[^/.]+)/$"
    url: str | None  # a concrete URL with missing ids, or None if it could not be built
    params: tuple[str, ...]
    method: str
    callback: Any = field(default=None, compare=False, repr=False)  # the view, for its renderers

    @property
    def is_collection(self) -> bool:
        return not self.params

    @property
    def key(self) -> str:
        """The route as ``ALLY_ALLOWED`` names it: ``"signals/{id}/answer/"``."""
        return (self.url or self.pattern).removeprefix("/" + API_PREFIX).replace(MISSING_INT, "{id}")

    @property
    def prefix(self) -> str:
        """The router prefix of an item route: ``"signals"`` for ``"signals/{id}/answer/"``."""
        return self.key.split("/{id}")[0]

    def url_for(self, rows: MunicipalityRows) -> str:
        """This route with the real id of the municipality's row (collections unchanged)."""
        assert self.url is not None, f"cannot build a URL for {self.pattern!r}: extend _concrete()"
        if self.is_collection:
            return self.url
        assert self.prefix in ROUTE_ROWS, f"no real row for {self.prefix!r}: add one in municipality_rows.py"
        return self.url.replace(MISSING_INT, str(rows.id_for(self.prefix)))


def _walk(patterns, prefix: str = "", route_converters: dict | None = None):
    for entry in patterns:
        text = prefix + str(entry.pattern)
        found = {**(route_converters or {}), **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, text, found)
        elif isinstance(entry, URLPattern):
            yield text, entry, found


def _concrete(text: str, route_converters: dict) -> tuple[str | None, tuple[str, ...]]:
    """``text`` as a path with a missing id in every parameter (regex and route syntax)."""
    params: list[str] = []

    def regex_param(match: re.Match) -> str:
        params.append(match["name"])
        return MISSING_INT

    def route_param(match: re.Match) -> str:
        params.append(match["name"])
        converter = route_converters.get(match["name"])
        return MISSING_BY_CONVERTER.get(type(converter), "no-such-item")

    parts = []
    for piece in re.split(r"(?<=/)(?=\^)", text):  # each resolver level's pattern separately
        piece = NAMED_GROUP.sub(regex_param, piece)
        piece = ROUTE_PARAM.sub(route_param, piece)
        parts.append(piece.removeprefix("^").removesuffix("$").removesuffix("\\Z"))
    url = "/" + "".join(parts)
    if re.search(r"[\\()\[\]?*+^$|{}]", url):
        return None, tuple(params)
    return url, tuple(params)


def _methods(pattern: URLPattern) -> tuple[str, ...]:
    """Every method the view serves (a viewset route's mapping, or an APIView's handlers)."""
    callback = pattern.callback
    mapping = getattr(callback, "actions", None)
    if mapping:
        return tuple(m for m in METHOD_PREFERENCE if m in mapping)
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None:
        return tuple(m for m in METHOD_PREFERENCE if hasattr(view_class, m)) or ("get",)
    return ("get",)


def api_routes() -> list[Route]:
    routes = []
    for text, pattern, route_converters in _walk(get_resolver(TENANT_URLCONF).url_patterns):
        if not text.startswith(API_PREFIX):
            continue
        url, params = _concrete(text, route_converters)
        if "format" in params:
            continue  # the ".json" twin of a route that is checked anyway
        if url is not None and url.lstrip("/") in PUBLIC_ROUTES:
            continue
        for method in _methods(pattern):
            routes.append(
                Route(pattern=text, url=url, params=params, method=method, callback=pattern.callback)
            )
    return routes


ROUTES = api_routes()

# The only (method, route) pairs an ally of this municipality may use (METHOD.md: an ally
# reads their own record, reports signals, reads and confirms notices, reads their council,
# proposes agenda items and reads the contact sheet of their own council), each with the reason.
# Everything else is refused to allies; the views narrow these further to the ally's own records
# (404 otherwise). Deliberately explicit: a new endpoint is "allies refused" until it is added here.
ALLY_ALLOWED: dict[tuple[str, str], str] = {
    ("get", ""): "the API root lists route names only, no data",
    ("get", "key-figures/"): "an ally reads their own key figure record (the list holds only it)",
    ("get", "key-figures/{id}/"): "an ally reads their own key figure record",
    ("get", "signals/"): "an ally reads the signals they reported",
    ("post", "signals/"): "an ally reports a signal",
    ("get", "signals/{id}/"): "an ally reads a signal they reported, with its answers",
    ("post", "signals/{id}/reopen/"): "an ally reopens their own answered or closed signal",
    ("get", "notices/"): "an ally reads the notices addressed to them",
    ("get", "notices/{id}/"): "an ally reads a notice addressed to them",
    ("post", "notices/{id}/confirm-read/"): "an ally confirms having read a notice addressed to them",
    ("get", "councils/"): "an ally reads the councils they sit on",
    ("get", "councils/{id}/"): "an ally reads a council they sit on",
    ("get", "councils/{id}/calendar/"): "an ally downloads the meetings of their council (iCal)",
    ("get", "councils/{id}/contact-sheet/"): "an ally reads their council's contact sheet (method)",
    ("get", "council-meetings/"): "an ally reads the meetings of their council",
    ("get", "council-meetings/{id}/"): "an ally reads a meeting of their council",
    ("get", "council-agenda-items/"): "an ally reads their council's agenda",
    ("get", "council-agenda-items/{id}/"): "an ally reads an item of their council's agenda",
    ("post", "council-agenda-items/"): "any member proposes agenda items, allies included (method)",
    ("post", "council-agenda-items/{id}/status/"): (
        "the member who proposed an item may withdraw it (do_change_agenda_item_status refuses any "
        "other change by a non-staff member with permission_denied)"
    ),
    ("get", "council-rules/"): "the council rules (meeting interval, sizes) are read-only, no personal data",
    ("get", "crises/"): "an ally lists the crises they were convened for (others are not shown)",
    ("get", "crises/{id}/"): "an ally reads a crisis they were convened for (others are 404)",
    ("get", "crises/{id}/events/"): "an ally reads the room's log of a crisis they were convened for",
    ("post", "crises/{id}/messages/"): "a convened ally posts in the crisis room",
    ("post", "crises/{id}/responses/"): "a convened ally answers the roll-call (coming, remote, unable)",
    (
        "post",
        "crises/{id}/summary/",
    ): "a convened member may keep the shared situation summary (method: equals)",
    ("get", "crises/{id}/timeline/"): "a convened ally reads the after-action timeline of their crisis",
}
COLLECTIONS = [route for route in ROUTES if route.is_collection]
ITEMS = [route for route in ROUTES if not route.is_collection]


def _call(client, route: Route, who: str = "", rows: MunicipalityRows | None = None):
    assert route.url is not None, f"cannot build a URL for {route.pattern!r}: extend _concrete()"
    url = route.url_for(rows) if rows is not None else route.url
    response = getattr(client, route.method)(url, {}, format="json")
    assert response.status_code < 500, (route.method, route.pattern, who, response.status_code)
    return response


def test_the_route_table_is_read_from_the_urlconf():
    """The generator sees the API (guards against an empty parametrisation passing vacuously)."""
    urls = {route.url for route in ROUTES}
    for expected in (
        "/api/v1/",
        "/api/v1/key-figures/",
        "/api/v1/network-map/",
        "/api/v1/key-figures/987654321/",
    ):
        assert expected in urls, sorted(u for u in urls if u)
    assert "/api/v1/key-figures/987654321/contacts/" in urls
    # Every method of a route, not only the first.
    detail = {route.method for route in ROUTES if route.url == "/api/v1/neighbourhoods/987654321/"}
    assert detail == {"get", "put", "patch", "delete"}, detail
    assert {r.method for r in ROUTES if r.url == "/api/v1/key-figures/987654321/contacts/"} == {"get", "post"}
    # Every allow-listed route still exists (a renamed route must not keep a stale exemption).
    keys = {(route.method, route.key) for route in ROUTES}
    assert keys >= set(ALLY_ALLOWED), sorted(set(ALLY_ALLOWED) - keys)
    assert all(reason.strip() for reason in ALLY_ALLOWED.values())
    # Every item route has a real row to call it with.
    assert {route.prefix for route in ITEMS} <= set(ROUTE_ROWS), {r.prefix for r in ITEMS} - set(ROUTE_ROWS)
    assert all(route.url for route in ROUTES), [route.pattern for route in ROUTES if not route.url]


def _ids(routes: list[Route]) -> list[str]:
    return [f"{route.method.upper()} {route.url or route.pattern}" for route in routes]


@pytest.mark.parametrize("route", COLLECTIONS, ids=_ids(COLLECTIONS))
def test_collection_refuses_outsiders(route, api, people, utrecht):
    response = _call(api(None, "utrecht"), route)
    assert response.status_code in (401, 403), (route.pattern, "anonymous", response.status_code)
    response = _call(api(people.stranger(), "utrecht"), route)
    assert response.status_code == 403, (route.pattern, "stranger", response.status_code)
    response = _call(api(people.official("amersfoort"), "utrecht"), route)
    assert response.status_code == 403, (route.pattern, "other municipality", response.status_code)
    response = _call(api(people.police("amersfoort"), "utrecht"), route)
    assert response.status_code == 403, (route.pattern, "other municipality's police", response.status_code)


@pytest.fixture
def rows(people, utrecht) -> MunicipalityRows:
    """One real row per routed model in Utrecht, owned by Utrecht's ally where rows have owners."""
    made = build_rows(people, "utrecht")
    from django.db import connection

    connection.set_schema_to_public()
    return made


@pytest.mark.parametrize("route", ITEMS, ids=_ids(ITEMS))
def test_item_with_a_real_id_refuses_outsiders(route, api, people, rows):
    """The row exists: an outsider is refused at the gate (401/403), never told 404 or shown it."""
    for who, user in (
        ("anonymous", None),
        ("stranger", people.stranger()),
        ("other municipality", people.official("amersfoort")),
        ("other municipality's police", people.police("amersfoort")),
    ):
        response = _call(api(user, "utrecht"), route, who, rows)
        allowed = (401, 403) if user is None else (403,)
        assert response.status_code in allowed, (route.pattern, who, response.status_code)
        body = response.json()
        assert set(body) >= {"code", "detail"}, (route.pattern, who, body)


@pytest.mark.parametrize("route", ITEMS, ids=_ids(ITEMS))
def test_item_with_missing_id_is_404_for_own_staff(route, api, people, utrecht):
    """A missing id is a clean 404 for a read (a write may check its body or method first)."""
    response = _call(api(people.official("utrecht"), "utrecht"), route, "own official")
    allowed = (404,) if route.method == "get" else (400, 403, 404, 405)
    assert response.status_code in allowed, (route.pattern, "own official", response.status_code)
    assert set(response.json()) >= {"code", "detail"}


@pytest.mark.parametrize("route", ROUTES, ids=_ids(ROUTES))
def test_allies_of_this_municipality_only_reach_the_allow_list(route, api, rows):
    """Called with the ally's own rows: a route off the allow-list must refuse (403/405), not 404."""
    response = _call(api(rows.ally_user, "utrecht"), route, "own ally", rows)
    if (route.method, route.key) in ALLY_ALLOWED:
        return  # admitted (the view still narrows to the ally's own records); never a 5xx
    assert response.status_code in (403, 405), (
        f"{route.method.upper()} {route.key} admits allies ({response.status_code}); if that is "
        "intended, add it to ALLY_ALLOWED with the reason"
    )
    assert set(response.json()) >= {"code", "detail"}


@pytest.mark.parametrize("route", ROUTES, ids=_ids(ROUTES))
def test_own_staff_never_get_a_server_error(route, api, people, utrecht):
    """Every method with an empty body, as the official and the police officer: never a 5xx."""
    for who, user in (("own official", people.official("utrecht")), ("own police", people.police("utrecht"))):
        response = _call(api(user, "utrecht"), route, who)
        if route.is_collection and route.method == "get":
            assert response.status_code != 403, (route.pattern, who, response.status_code)
            assert response.status_code < 400, (route.pattern, who, response.status_code)
