"""Property-based: whatever the grants, the national view shows the granted districts and nothing else.

Each example draws a set of grants (district or whole unit, summary or contacts, live, expired,
not yet valid or revoked) for a fresh analyst, inside a savepoint that is rolled back, and asks
EVERY national endpoint, filter and export. It checks that:

- only districts (and their municipalities) under a live grant appear, in lists, filters,
  counts and exports;
- a district, municipality or neighbourhood not granted answers 404 with exactly the body of an
  id that does not exist;
- where no live grant says ``contacts``, no response body contains any person's name, number or
  e-mail from the data set.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agora.national.actions import do_grant_national_access, do_revoke_national_grant

MISSING = 987654321
STATES = ("live", "expired", "future", "revoked")
DISTRICTS = ("Utrecht-Stad", "Eemland", "Heuvelrug", "Gelderland-Midden", "Leeg")
UNITS = ("Midden-Nederland", "Oost-Nederland")

grant_strategy = st.fixed_dictionaries(
    {
        "target": st.one_of(
            st.tuples(st.just("district"), st.sampled_from(DISTRICTS)),
            st.tuples(st.just("unit"), st.sampled_from(UNITS)),
        ),
        "level": st.sampled_from(("summary", "contacts")),
        "state": st.sampled_from(STATES),
    }
)


def _make_grants(national, user, grants) -> dict[int, str]:
    """Create the drawn grants; return the districts a live one covers, with the highest level."""
    now = timezone.now()
    expected: dict[int, str] = {}
    periods = {
        "live": (now - dt.timedelta(days=1), now + dt.timedelta(days=1)),
        "revoked": (now - dt.timedelta(days=1), now + dt.timedelta(days=1)),
        "expired": (now - dt.timedelta(days=5), now - dt.timedelta(seconds=5)),
        "future": (now + dt.timedelta(minutes=5), now + dt.timedelta(days=5)),
    }
    for drawn in grants:
        kind, name = drawn["target"]
        scope = (
            {"district": national.districts[name]} if kind == "district" else {"unit": national.units[name]}
        )
        valid_from, valid_until = periods[drawn["state"]]
        grant = do_grant_national_access(
            user,
            level=drawn["level"],
            purpose="property test",
            valid_from=valid_from,
            valid_until=valid_until,
            acting_user=national.operator,
            **scope,
        )
        if drawn["state"] == "revoked":
            do_revoke_national_grant(grant.pk, acting_user=national.operator)
            continue
        if drawn["state"] != "live":
            continue
        covered = [scope["district"]] if kind == "district" else list(scope["unit"].districts.all())
        for district in covered:
            if expected.get(district.pk) != "contacts":
                expected[district.pk] = drawn["level"]
    return expected


def _assert_no_person(national, body: str, where: str) -> None:
    leaked = [secret for secret in national.secrets if secret in body or secret.lstrip("+") in body]
    assert not leaked, f"{where} shows {leaked[:3]} under a summary grant"


def _page_body(response) -> str:
    """A 404 page without what differs per request anyway: the masked CSRF token, the page's own path."""
    body = response.content.decode()
    body = re.sub(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"', r"\1", body)
    return re.sub(r'name="next" value="[^"]*"', 'name="next"', body)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(grants=st.lists(grant_strategy, max_size=4))
def test_every_endpoint_stays_within_the_grants(national, analyst, public_api, grants) -> None:
    with transaction.atomic():
        user = analyst()
        expected = _make_grants(national, user, grants)
        client = public_api(user)
        missing_404 = client.get(f"/api/v1/national/districts/{MISSING}/")
        assert missing_404.status_code == 404
        not_found = missing_404.json()

        pages = Client(HTTP_HOST=django_settings.AGORA_BASE_DOMAIN, HTTP_ACCEPT_LANGUAGE="en")
        pages.force_login(user)
        missing_page = pages.get(f"/national/districts/{MISSING}/")
        assert missing_page.status_code == 404

        def refused(url: str) -> None:
            response = client.get(url)
            assert response.status_code == 404, url
            assert response.json() == not_found, url
            if not url.endswith((".csv", ".html")):
                page = pages.get(url.replace("/api/v1/national/", "/national/"))
                assert page.status_code == 404, url
                assert _page_body(page) == _page_body(missing_page), url

        def shown(url: str) -> str:
            """The page twin of an API url (granted): 200, and its body for the person check."""
            page = pages.get(url.replace("/api/v1/national/", "/national/"))
            assert page.status_code == 200, url
            return page.content.decode()

        def check(url: str, body: str) -> None:
            if level != "contacts":
                _assert_no_person(national, body, url)

        # The list, with every filter.
        listed = client.get("/api/v1/national/districts/").json()
        assert {d["id"] for d in listed["districts"]} == set(expected)
        assert listed["count"] == len(expected)
        for district in listed["districts"]:
            assert district["level"] == expected[district["id"]]
        for unit in national.units.values():
            body = client.get("/api/v1/national/districts/", {"unit": unit.pk}).json()
            assert {d["id"] for d in body["districts"]} == {
                pk for pk in expected if national.districts_by_id[pk].unit_id == unit.pk
            }
        assert client.get("/api/v1/national/districts/", {"unit": MISSING}).json() == {
            "count": 0,
            "districts": [],
        }
        for q in ("Zeist", "Eem", "Arnhem"):
            body = client.get("/api/v1/national/districts/", {"q": q}).json()
            assert {d["id"] for d in body["districts"]} <= set(expected)
        body = client.get("/api/v1/national/districts/", {"gap": "communities_without_ally"}).json()
        assert {d["id"] for d in body["districts"]} <= set(expected)
        home = pages.get("/national/").content.decode()
        for district in national.districts.values():
            linked = f'href="/national/districts/{district.pk}/"' in home
            assert linked == (district.pk in expected), district.name
        if "contacts" not in expected.values():
            _assert_no_person(national, json.dumps(listed), "the district list")
            _assert_no_person(national, home, "the national page")

        # Every district, municipality and neighbourhood: granted ones answer, the rest are 404.
        for district in national.districts.values():
            base = f"/api/v1/national/districts/{district.pk}/"
            level = expected.get(district.pk)
            if level is None:
                for suffix in ("", "export.csv", "export.html"):
                    refused(base + suffix)
                continue
            response = client.get(base)
            assert response.status_code == 200
            check(base, response.content.decode())
            check(base, shown(base))
            assert {m["id"] for m in response.json()["municipalities"]} == {
                m.pk for m in national.municipalities.values() if m.district_id == district.pk
            }
            for suffix in ("export.csv", "export.html"):
                export = client.get(base + suffix)
                assert export.status_code == 200
                check(base + suffix, export.content.decode())
                for other in national.municipalities.values():
                    if other.district_id not in expected:
                        assert other.name not in export.content.decode(), (base + suffix, other.name)
            refused(base + f"municipalities/{MISSING}/")
        for slug, municipality in national.municipalities.items():
            level = expected.get(municipality.district_id)
            base = f"/api/v1/national/districts/{municipality.district_id}/municipalities/{municipality.pk}/"
            neighbourhood = base + f"neighbourhoods/{national.neighbourhood_ids[slug][0]}/"
            # Reached through another district, a municipality does not exist.
            for other in national.districts.values():
                if other.pk != municipality.district_id:
                    refused(f"/api/v1/national/districts/{other.pk}/municipalities/{municipality.pk}/")
            if level is None:
                refused(base)
                refused(neighbourhood)
                continue
            for url in (base, neighbourhood):
                response = client.get(url)
                assert response.status_code == 200, url
                check(url, response.content.decode())
                check(url, shown(url))
                assert ("contacts" in response.json()) == (level == "contacts")
            refused(base + f"neighbourhoods/{MISSING}/")
        transaction.set_rollback(True)


def test_anonymous_is_refused(national, public_api) -> None:
    for url in (
        "/api/v1/national/districts/",
        f"/api/v1/national/districts/{national.district_of('utrecht').pk}/",
    ):
        assert public_api().get(url).status_code in (401, 403)
