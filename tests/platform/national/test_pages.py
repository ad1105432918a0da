"""The /national/ pages: the grants decide, a chart always has its table, summary shows nobody."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from agora.audit.models import PersonRecordRead


@pytest.fixture
def page():
    def make(user=None) -> Client:
        client = Client(HTTP_HOST=settings.AGORA_BASE_DOMAIN, HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            client.force_login(user)
        return client

    return make


def _urls(national, slug: str) -> list[str]:
    m = national.municipalities[slug]
    base = f"/national/districts/{m.district_id}/"
    return [
        base,
        base + f"municipalities/{m.pk}/",
        base + f"municipalities/{m.pk}/neighbourhoods/{national.neighbourhood_ids[slug][0]}/",
    ]


def test_anonymous_goes_to_login(national, page) -> None:
    response = page().get("/national/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_summary_pages_show_counts_and_nobody(national, analyst, grant, page) -> None:
    user = analyst()
    grant(user, district=national.district_of("zeist"), level="summary")
    client = page(user)
    home = client.get("/national/").content.decode()
    assert "Heuvelrug" in home and "Utrecht-Stad" not in home and "Gelderland-Midden" not in home
    for url in _urls(national, "zeist"):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert not [s for s in national.secrets if s in body], url
    district = client.get(_urls(national, "zeist")[0]).content.decode()
    assert 'id="health-chart"' in district and "table view of the chart" in district
    assert "vendor/chartjs/chart.umd.min.js" in district
    for slug in ("utrecht", "amersfoort", "arnhem"):
        for url in _urls(national, slug):
            assert client.get(url).status_code == 404, url
    assert client.get("/national/districts/987654321/").status_code == 404
    assert not PersonRecordRead.objects.filter(actor=user).exists()


def test_contacts_pages_show_and_log_people(national, analyst, grant, page) -> None:
    user = analyst()
    grant(user, district=national.district_of("arnhem"), level="contacts")
    body = page(user).get(_urls(national, "arnhem")[1]).content.decode()
    assert [s for s in national.secrets if s in body]
    assert PersonRecordRead.objects.filter(
        actor=user, municipality=national.municipalities["arnhem"]
    ).exists()


def test_chart_library_is_vendored_with_its_licence() -> None:
    script = finders.find("vendor/chartjs/chart.umd.min.js")
    assert script and Path(script).stat().st_size > 100_000
    assert "MIT License" in Path(finders.find("vendor/chartjs/LICENSE.md")).read_text()


def test_dutch_first(national, analyst, grant) -> None:
    user = analyst()
    grant(user, district=national.district_of("zeist"))
    client = Client(HTTP_HOST=settings.AGORA_BASE_DOMAIN, HTTP_ACCEPT_LANGUAGE="nl")
    client.force_login(user)
    body = client.get("/national/").content.decode()
    assert "Landelijk beeld" in body and "Verwaterde contacten" in body
