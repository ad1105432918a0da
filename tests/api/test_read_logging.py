"""Read logging proven by construction (issue 8.1): every view that shows a person logs exactly them.

The views are discovered, not listed: every GET route of ``/api/v1/`` (collections and items,
called with REAL ids from ``tests.municipality_rows``), every export format a route offers
(vCard, iCal: the non-JSON renderers of its action), the changelist and change view of every
model registered on the tenant admin site, and every page of a municipality's host
(``frontend.pages.urls``, called with real ids; a staff page as the official, an ally's page as
the ally when the official is refused). Each view must be classified in ``VIEWS`` below:

- ``shows(...)``: the view shows key figures' (allies', nominees') or staff members' personal
  data; a request by an allowed staff user must write ``agora.audit`` ``PersonRecordRead`` rows
  naming EXACTLY the persons the function returns, as sets of ``(record_type, record_id)``;
- ``SHOWS_NONE``: the view shows nobody's personal data and must write no read row.

A view missing from the table fails ("unclassified: decide"), so a new view joins this test the
day it is routed or registered. As a cross-check independent of the table, the response body is
scanned for each person's markers (last name, mobile number, e-mail): a person found in the body
but not in the expected set fails the test too, so a view that starts showing someone new (an
inline, a picker) cannot stay classified as showing less.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from agora.audit.models import PersonRecordRead
from frontend.pages.urls import urlpatterns as page_patterns
from frontend.tenant_admin import tenant_admin_site
from tests.api.test_endpoint_permissions import ROUTES, Route
from tests.factories import CouncilRulesFactory
from tests.municipality_rows import MunicipalityRows, build_rows

Person = tuple[str, str]  # (record_type, record_id) as PersonRecordRead names a person


def person(obj: Any) -> Person:
    return (obj._meta.label, str(obj.pk))


@dataclass(frozen=True)
class Shows:
    """The persons a view shows, from the municipality's rows and the object the view is about."""

    persons: Callable[[MunicipalityRows, Any], set[Person]]
    why: str


SHOWS_NONE = None


def shows(why: str, persons: Callable[[MunicipalityRows, Any], set[Person]]) -> Shows:
    return Shows(persons, why)


def _key_figures(*names: str) -> Callable[[MunicipalityRows, Any], set[Person]]:
    return lambda rows, obj: {person(getattr(rows, name)) for name in names}


ALL_KEY_FIGURES = _key_figures("ally", "other", "bystander")
COUNCIL_MEMBERS = _key_figures("ally")
THE_NOMINEE = _key_figures("other")  # the key figure with a selection case and on a list
THE_OBJECT = shows("the key figure the page is about", lambda rows, obj: {person(obj)})
CONTACT_SHEET = shows(
    "names, mobiles and e-mails of the leads (staff users) and the seated allies",
    lambda rows, obj: {person(rows.official), person(rows.police), person(rows.ally)},
)

# Every view, classified. Keys: "API <route>", "EXPORT <route> <format>", "ADMIN <model> <page>",
# "PAGE <url name>".
VIEWS: dict[str, Shows | None] = {
    # --- API, councils
    "API ": SHOWS_NONE,  # the API root: route names
    "API memberships/": shows(
        "the municipality's staff with their numbers", lambda r, o: {person(r.official), person(r.police)}
    ),
    "API memberships/{id}/": shows("the staff member and their number", lambda r, o: {person(r.police)}),
    "API crises/": SHOWS_NONE,  # titles, kinds, times and counts
    "API crises/{id}/": shows("the roll-call names the convened ally", _key_figures("ally")),
    "API crises/{id}/events/": SHOWS_NONE,  # the log: ids and bodies, no person's record
    "API crises/{id}/timeline/": shows("the roll-call names the convened ally", _key_figures("ally")),
    "EXPORT crises/{id}/timeline/ html": shows("the roll-call names the convened ally", _key_figures("ally")),
    "API crisis-drills/": SHOWS_NONE,  # reach per seat: answers and seconds, no names
    "API crisis-drills/{id}/": SHOWS_NONE,
    "ADMIN crises.CrisisSettings changelist": SHOWS_NONE,
    "ADMIN crises.CrisisSettings change": SHOWS_NONE,
    "API councils/": shows("each council's seated allies", lambda r, o: COUNCIL_MEMBERS(r, o)),
    "API councils/health/": SHOWS_NONE,  # counts per council
    "API councils/{id}/": shows("the council's seated allies", lambda r, o: COUNCIL_MEMBERS(r, o)),
    "API councils/{id}/calendar/": SHOWS_NONE,  # meetings: dates, places, meals
    "API councils/{id}/handovers/": SHOWS_NONE,  # staff by name and title, open work as counts and ids
    "API councils/{id}/contact-sheet/": CONTACT_SHEET,
    "API councils/{id}/health/": SHOWS_NONE,
    "API council-meetings/": SHOWS_NONE,  # attendance as ids and counts, no names
    "API council-meetings/{id}/": SHOWS_NONE,
    "API council-agenda-items/": SHOWS_NONE,
    "API council-agenda-items/{id}/": SHOWS_NONE,
    "API council-rules/": SHOWS_NONE,
    "EXPORT councils/{id}/contact-sheet/ vcf": CONTACT_SHEET,
    "EXPORT councils/{id}/calendar/ ics": SHOWS_NONE,
    # --- API, network map
    "API city-districts/": SHOWS_NONE,
    "API city-districts/{id}/": SHOWS_NONE,
    "API neighbourhoods/": SHOWS_NONE,  # staff by name and job title only (ADR 0005: no contact data)
    "API neighbourhoods/{id}/": SHOWS_NONE,
    "API communities/": SHOWS_NONE,
    "API communities/{id}/": SHOWS_NONE,
    "API key-figures/": shows("every key figure on the page", ALL_KEY_FIGURES),
    "API key-figures/{id}/": shows("the key figure of the URL", _key_figures("ally")),
    "API key-figures/{id}/contacts/": shows(
        "the contact moments (notes) of the key figure of the URL", _key_figures("ally")
    ),
    "API key-figures/{id}/subject-access/": shows(
        "everything held about the key figure of the URL (subject access)", _key_figures("ally")
    ),
    "API network-map/": shows("every key figure placed on the map or listed as a gap", ALL_KEY_FIGURES),
    # --- API, nominations
    "API nominations/imports/": SHOWS_NONE,  # counts and row errors by line number
    "API nominations/imports/{id}/": SHOWS_NONE,
    "API nominations/comparison/": shows("the key figures on the lists", THE_NOMINEE),
    # --- API, selection
    "API selection-cases/": shows("the key figure of each case", THE_NOMINEE),
    "API selection-cases/{id}/": shows("the case's key figure", THE_NOMINEE),
    # --- API, signals and notices
    "API signals/": shows("the ally who raised each signal", _key_figures("ally")),
    "API signals/{id}/": shows("the ally who raised the signal", _key_figures("ally")),
    "API notices/": SHOWS_NONE,  # receipt counts only
    "API notices/{id}/": SHOWS_NONE,
    "API notices/{id}/receipts/": shows("the allies informed, with read times", _key_figures("ally")),
    # --- admin, network map
    "ADMIN networkmap.CityDistrict changelist": SHOWS_NONE,
    "ADMIN networkmap.CityDistrict change": SHOWS_NONE,
    "ADMIN networkmap.Community changelist": SHOWS_NONE,
    "ADMIN networkmap.Community change": SHOWS_NONE,
    "ADMIN networkmap.Neighbourhood changelist": SHOWS_NONE,
    "ADMIN networkmap.Neighbourhood change": SHOWS_NONE,
    "ADMIN networkmap.KeyFigure changelist": shows("every key figure listed", ALL_KEY_FIGURES),
    "ADMIN networkmap.KeyFigure change": THE_OBJECT,
    # --- admin, nominations
    "ADMIN nominations.ImportRun changelist": SHOWS_NONE,
    "ADMIN nominations.ImportRun change": SHOWS_NONE,
    # --- admin, selection
    "ADMIN selection.SelectionCase changelist": shows("the key figure of each case", THE_NOMINEE),
    "ADMIN selection.SelectionCase change": shows("the case's key figure", THE_NOMINEE),
    "ADMIN selection.Transition changelist": shows("each row's case names its key figure", THE_NOMINEE),
    "ADMIN selection.Transition change": shows("the row's case names its key figure", THE_NOMINEE),
    # --- admin, councils
    "ADMIN councils.CouncilRules changelist": SHOWS_NONE,
    "ADMIN councils.CouncilRules change": SHOWS_NONE,
    "ADMIN councils.Council changelist": SHOWS_NONE,  # names and leads by membership
    "ADMIN councils.Council change": shows(
        "the leads chosen in the pickers, the seated allies (inline) and the allies offered to seat",
        lambda rows, obj: (
            {person(rows.official), person(rows.police)} | _key_figures("ally", "bystander")(rows, obj)
        ),
    ),
    "ADMIN councils.Meeting changelist": SHOWS_NONE,
    "ADMIN councils.Meeting change": shows(
        "the ally and the police officer in the attendance inline",
        lambda rows, obj: {person(rows.police)} | _key_figures("ally")(rows, obj),
    ),
    "ADMIN councils.AgendaItem changelist": SHOWS_NONE,
    "ADMIN councils.AgendaItem change": SHOWS_NONE,
    # --- admin, signals
    "ADMIN signals.Signal changelist": shows("the ally who raised each signal", _key_figures("ally")),
    "ADMIN signals.Signal change": shows("the ally who raised the signal", _key_figures("ally")),
    "ADMIN signals.Notice changelist": SHOWS_NONE,  # titles and counts
    "ADMIN signals.Notice change": shows(
        "the receipts inline names the allies informed", _key_figures("ally")
    ),
    # --- pages (frontend.pages), staff
    "PAGE dashboard": shows("the ally of each open signal", _key_figures("ally")),
    "PAGE network": shows(
        "every key figure drawn and listed (in a community; the bystander is in none)",
        _key_figures("ally", "other"),
    ),
    "PAGE councils": SHOWS_NONE,  # names of councils, health counts
    "PAGE council": shows(
        "the leads, the seated allies, the allies a notice reached and the allies offered to seat",
        lambda rows, obj: (
            {person(rows.official), person(rows.police)} | _key_figures("ally", "bystander")(rows, obj)
        ),
    ),
    "PAGE council-vcard": CONTACT_SHEET,
    "PAGE key-figures": shows("every key figure on the list's page", ALL_KEY_FIGURES),
    "PAGE key-figure-new": SHOWS_NONE,  # an empty form; neighbourhoods and communities by name
    "PAGE key-figure": THE_OBJECT,
    "PAGE key-figure-edit": THE_OBJECT,
    "PAGE signals": shows("the ally of each signal", _key_figures("ally")),
    "PAGE signal-new": shows("the picker names every ally", _key_figures("ally", "bystander")),
    "PAGE signal": shows("the ally whose signal it is", _key_figures("ally")),
    "PAGE notices": SHOWS_NONE,  # titles, times, receipt counts
    "PAGE notice-new": shows("the picker names every ally", _key_figures("ally", "bystander")),
    "PAGE notice": shows("the allies the notice reached, with read times", _key_figures("ally")),
    "PAGE selection": shows("the key figures on the lists and in the cases", THE_NOMINEE),
    "PAGE case": shows("the case's key figure", THE_NOMINEE),
    # --- pages, the ally's portal (read as the ally)
    "PAGE portal": CONTACT_SHEET,
    "PAGE crisis": shows("the room's roll-call names the convened ally", _key_figures("ally")),
    "PAGE portal-signals": SHOWS_NONE,
    "PAGE portal-signal": shows("the ally's own record, named on their signal", _key_figures("ally")),
}


@dataclass(frozen=True)
class View:
    key: str
    build_url: Callable[[MunicipalityRows], tuple[str, Any]]  # the URL and the object it shows
    client: str  # "api" or "web"


def _export_formats(route: Route) -> list[str]:
    """The non-JSON formats a GET action renders (vCard, iCal), from its renderer classes."""
    mapping = getattr(route.callback, "actions", None) or {}
    handler = getattr(getattr(route.callback, "cls", None), mapping.get("get", ""), None)
    renderers = (getattr(handler, "kwargs", None) or {}).get("renderer_classes") or []
    return [r.format for r in renderers if r.format not in ("json", "api")]


def _api_views() -> list[View]:
    views = []
    for route in ROUTES:
        if route.method != "get":
            continue
        views.append(View(f"API {route.key}", lambda rows, r=route: (r.url_for(rows), None), "api"))
        for fmt in _export_formats(route):
            views.append(
                View(
                    f"EXPORT {route.key} {fmt}",
                    lambda rows, r=route, f=fmt: (f"{r.url_for(rows)}?format={f}", None),
                    "api",
                )
            )
    return views


def _admin_object(model):
    obj = model.objects.order_by("pk").first()
    assert obj is not None, f"no {model._meta.label} row: build one in tests/municipality_rows.py"
    return obj


def _admin_views() -> list[View]:
    views = []
    for model in tenant_admin_site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        views.append(
            View(
                f"ADMIN {model._meta.label} changelist",
                lambda rows, i=info: (reverse("tenant_admin:{}_{}_changelist".format(*i)), None),
                "web",
            )
        )

        def change(rows, i=info, m=model):
            obj = _admin_object(m)
            return reverse("tenant_admin:{}_{}_change".format(*i), args=[obj.pk]), obj

        views.append(View(f"ADMIN {model._meta.label} change", change, "web"))
    return views


# The id a page's URL takes, from the municipality's rows (real rows: a missing id would 404).
PAGE_ARGUMENTS: dict[str, Callable[[MunicipalityRows], Any]] = {
    "council_id": lambda rows: rows.council,
    "signal_id": lambda rows: rows.signal,
    "case_id": lambda rows: rows.case,
    "notice_id": lambda rows: rows.notice,
    "key_figure_id": lambda rows: rows.ally,
    "crisis_id": lambda rows: rows.crisis,
}
# Pages that read nothing on GET (a POST-only form target), with the reason.
PAGES_WITHOUT_A_READ = {
    "confirm-notice": "POST only: a GET redirects to the portal",
    "crisis-answer": "POST only (require_POST): the one-tap answer; the room page shows the roll-call",
    "crisis-post": "POST only (require_POST): a message to the room's log",
    "crisis-summary": "POST only (require_POST): the situation summary",
    "crisis-contact": "POST only (require_POST): call one ally again",
    "crisis-close": "POST only (require_POST): close the crisis",
}


def _page_views() -> list[View]:
    views = []
    for pattern in page_patterns:
        if pattern.name in PAGES_WITHOUT_A_READ:
            continue
        arguments = list(pattern.pattern.converters)

        def build(rows, name=pattern.name, arguments=arguments):
            unknown = [a for a in arguments if a not in PAGE_ARGUMENTS]
            assert not unknown, f"page {name}: add {unknown} to PAGE_ARGUMENTS"
            objects = {a: PAGE_ARGUMENTS[a](rows) for a in arguments}
            url = reverse(f"pages:{name}", kwargs={a: obj.pk for a, obj in objects.items()})
            return url, next(iter(objects.values()), None)

        views.append(View(f"PAGE {pattern.name}", build, "page"))
    return views


DISCOVERED = _api_views() + _admin_views() + _page_views()


def test_the_views_are_discovered_and_the_table_has_no_stale_entries():
    keys = [view.key for view in DISCOVERED]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
    for expected in (
        "API key-figures/{id}/",
        "EXPORT councils/{id}/contact-sheet/ vcf",
        "EXPORT councils/{id}/calendar/ ics",
        "ADMIN councils.Council change",
        "ADMIN selection.SelectionCase change",
        "PAGE key-figure",
        "PAGE portal",
    ):
        assert expected in keys, expected
    assert set(VIEWS) <= set(keys), f"stale entries (view gone or renamed): {sorted(set(VIEWS) - set(keys))}"
    shows_persons = [k for k, v in VIEWS.items() if v is not None]
    assert shows_persons and len(shows_persons) < len(VIEWS)  # neither half of the table is empty


def _params() -> list:
    return [pytest.param(view, id=view.key) for view in DISCOVERED]


def _markers(rows: MunicipalityRows) -> dict[Person, list[str]]:
    """What identifies each person in a response body (names are chosen to be unmistakable)."""
    markers: dict[Person, list[str]] = {}
    for figure in (rows.ally, rows.other, rows.bystander):
        markers[person(figure)] = [m for m in (figure.last_name, figure.mobile, figure.email) if m]
    for membership in (rows.m_official, rows.m_police):
        user = membership.user
        markers[person(user)] = [m for m in (membership.mobile, user.email) if m]
    return markers


def _request(view: View, api, web, people, utrecht):
    """Build the rows, GET the view as Utrecht's official; the response, rows, object and reads."""
    rows = build_rows(people, "utrecht")
    CouncilRulesFactory()
    url, obj = view.build_url(rows)
    connection.set_schema_to_public()
    client = api(rows.official, "utrecht") if view.client == "api" else web(rows.official, "utrecht")
    reader = rows.official
    before = PersonRecordRead.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = client.get(url)
    if view.client == "page" and response.status_code == 403:
        # An ally's page (the portal): the official is refused and reads nobody; the ally reads.
        assert not PersonRecordRead.objects.filter(pk__gt=before).exists(), view.key
        reader = rows.ally_user
        response = web(reader, "utrecht").get(url)
    assert response.status_code == 200, (view.key, response.status_code)
    written = list(PersonRecordRead.objects.filter(pk__gt=before))
    for row in written:
        assert row.actor_id == reader.pk and row.municipality_id == utrecht.pk, row
        assert row.purpose.strip(), row
    return response, rows, obj, {(row.record_type, row.record_id) for row in written}


def test_every_page_without_a_read_really_is_a_post_target(web, people, utrecht):
    rows = build_rows(people, "utrecht")
    connection.set_schema_to_public()
    names = {pattern.name for pattern in page_patterns}
    assert set(PAGES_WITHOUT_A_READ) <= names, "stale PAGES_WITHOUT_A_READ entry"
    before = PersonRecordRead.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    url = reverse("pages:confirm-notice", kwargs={"notice_id": rows.notice.pk})
    response = web(rows.ally_user, "utrecht").get(url)
    assert response.status_code == 302
    assert not PersonRecordRead.objects.filter(pk__gt=before).exists()
    assert rows.notice.recipients.filter(read_at__isnull=False).count() == 0  # a GET confirms nothing


@pytest.mark.parametrize("view", _params())
def test_a_view_logs_exactly_the_persons_it_shows(view: View, api, web, people, utrecht):
    assert view.key in VIEWS, f"unclassified: decide whether {view.key!r} shows persons (VIEWS in this file)"
    response, rows, obj, logged = _request(view, api, web, people, utrecht)
    expected = set() if VIEWS[view.key] is None else VIEWS[view.key].persons(rows, obj)
    body = response.content.decode("utf-8", errors="replace")
    in_body = {who for who, found in _markers(rows).items() if any(marker in body for marker in found)}
    assert in_body <= expected, f"{view.key} shows {sorted(in_body - expected)}: classify them in VIEWS"
    assert logged == expected, f"{view.key}: logged {sorted(logged)}, shows {sorted(expected)}"
