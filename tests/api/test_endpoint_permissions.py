"""Every ``/api/v1/`` endpoint refuses outsiders: generated from the URLconf, not from a list.

The routes are read from the tenant URLconf (``agora.urls_tenants``) at collection time, so an
endpoint added later by any app is checked without anyone remembering to add it here. Every
route is checked with EVERY HTTP method it serves (a viewset route's mapping, an APIView's
handlers):

- collection routes (no path parameters): anonymous → 401/403; a logged-in user with no
  membership (a stranger) → 403; a member of the *other* municipality → 403;
- item routes (path parameters, filled with ids that do not exist): the same outsiders → 403
  or 404, and this municipality's own official → 403 or 404 (or 400 for a write with an empty
  body, where a view validates the body before it looks the id up); never a 500, never data;
- an ally of *this* municipality is refused (403/404/405) everywhere except the few
  (method, route) pairs of ``ALLY_ALLOWED`` below, so a NEW endpoint that admits allies fails
  here until someone decides, in that list, that allies belong there;
- this municipality's official and police officer get a list on every GET collection route
  (not a 403, not a 5xx); and no role gets a 5xx from any route with any method.

A route whose URL cannot be built from its pattern fails the test (rather than being skipped),
so that a new kind of pattern extends this file instead of escaping it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, converters, get_resolver

TENANT_URLCONF = "agora.urls_tenants"
API_PREFIX = "api/v1/"
# Deliberately open endpoints: logging in to get a token must work without being a member.
PUBLIC_ROUTES = frozenset({"api/v1/auth/token/"})

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

    @property
    def is_collection(self) -> bool:
        return not self.params

    @property
    def key(self) -> str:
        """The route as ``ALLY_ALLOWED`` names it: ``"signals/{id}/answer/"``."""
        return (self.url or self.pattern).removeprefix("/" + API_PREFIX).replace(MISSING_INT, "{id}")


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
            routes.append(Route(pattern=text, url=url, params=params, method=method))
    return routes


ROUTES = api_routes()

# The only (method, route) pairs an ally of this municipality may use (METHOD.md: an ally
# reads their own record, reports signals, reads and confirms notices, reads their council,
# proposes agenda items and reads the contact sheet of their own council). Everything else is
# refused to allies; the views narrow these further to the ally's own records (404 otherwise).
# Deliberately explicit: a new endpoint is "allies refused" until it is added here.
ALLY_ALLOWED = frozenset(
    {
        # network map: own key figure record only
        ("get", "key-figures/"),
        ("get", "key-figures/{id}/"),
        # signals: report, read own, answer follow-up questions
        ("get", "signals/"),
        ("post", "signals/"),
        ("get", "signals/{id}/"),
        # notices: read and confirm
        ("get", "notices/"),
        ("get", "notices/{id}/"),
        ("post", "notices/{id}/confirm-read/"),
        # councils: read own council, its meetings and agenda; propose agenda items
        ("get", "councils/"),
        ("get", "councils/{id}/"),
        ("get", "councils/{id}/calendar/"),
        ("get", "councils/{id}/contact-sheet/"),
        ("get", "council-meetings/"),
        ("get", "council-meetings/{id}/"),
        ("get", "council-agenda-items/"),
        ("get", "council-agenda-items/{id}/"),
        ("post", "council-agenda-items/"),
        # the municipality's council rules (meeting interval, sizes): read-only, no personal data
        ("get", "council-rules/"),
        # crisis room: the crises they were convened for (others are 404), its log, posting,
        # answering the roll-call, the summary, the after-action timeline
        ("get", "crises/"),
        ("get", "crises/{id}/"),
        ("get", "crises/{id}/events/"),
        ("post", "crises/{id}/messages/"),
        ("post", "crises/{id}/responses/"),
        ("post", "crises/{id}/summary/"),
        ("get", "crises/{id}/timeline/"),
    }
)
COLLECTIONS = [route for route in ROUTES if route.is_collection]
ITEMS = [route for route in ROUTES if not route.is_collection]


def _call(client, route: Route, who: str = ""):
    assert route.url is not None, f"cannot build a URL for {route.pattern!r}: extend _concrete()"
    response = getattr(client, route.method)(route.url, {}, format="json")
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
    assert keys >= ALLY_ALLOWED, sorted(ALLY_ALLOWED - keys)
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


@pytest.mark.parametrize("route", ITEMS, ids=_ids(ITEMS))
def test_item_with_missing_id_is_403_or_404(route, api, people, utrecht):
    for who, user in (
        ("anonymous", None),
        ("stranger", people.stranger()),
        ("other municipality", people.official("amersfoort")),
        ("own official", people.official("utrecht")),
    ):
        response = _call(api(user, "utrecht"), route)
        if user is None:
            allowed: tuple[int, ...] = (401, 403, 404)
        elif who == "own official" and route.method != "get":
            allowed = (400, 403, 404, 405)  # 405: a method the route refuses (key figure DELETE)
        else:
            allowed = (403, 404)
        assert response.status_code in allowed, (route.pattern, who, response.status_code)
        body = response.json()
        assert set(body) >= {"code", "detail"}, (route.pattern, who, body)


@pytest.mark.parametrize("route", ROUTES, ids=_ids(ROUTES))
def test_allies_of_this_municipality_only_reach_the_allow_list(route, api, people, utrecht):
    response = _call(api(people.ally("utrecht"), "utrecht"), route, "own ally")
    if (route.method, route.key) in ALLY_ALLOWED:
        return  # admitted (the view still narrows to the ally's own records); never a 5xx
    assert response.status_code in (403, 404, 405), (
        f"{route.method.upper()} {route.key} admits allies ({response.status_code}); if that is "
        "intended, add it to ALLY_ALLOWED"
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
