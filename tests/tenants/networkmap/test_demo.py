"""The network map demo: believable, different per municipality, and safe to load twice."""

from __future__ import annotations

import copy

import pytest
from django.db import connection

from tenants.networkmap.demo import load_demo
from tenants.networkmap.models import CityDistrict, Community, ContactMoment, KeyFigure, Neighbourhood
from tenants.networkmap.queries import network_map


def staff_of(people, slug: str) -> dict:
    return {
        "official": people.official(slug),
        "police": people.police(slug),
        "official2": people.official(slug, "2"),
        "police2": people.police(slug, "2"),
    }


def counts() -> dict[str, int]:
    return {
        "districts": CityDistrict.objects.count(),
        "neighbourhoods": Neighbourhood.objects.count(),
        "communities": Community.objects.count(),
        "key_figures": KeyFigure.objects.count(),
        "contacts": ContactMoment.objects.count(),
    }


def test_demo_is_believable_and_idempotent(people, utrecht):
    staff = staff_of(people, "utrecht")
    connection.set_tenant(utrecht)
    load_demo(utrecht, staff)
    first = counts()
    assert 4 <= first["neighbourhoods"] <= 6
    assert 1 <= first["districts"] <= 2
    assert 6 <= first["communities"] <= 8
    assert 12 <= first["key_figures"] <= 20
    assert first["contacts"] >= 8
    key_figures = list(KeyFigure.objects.all())
    assert all(kf.mobile.startswith("+316") and len(kf.mobile) == 12 for kf in key_figures)
    assert any(kf.is_professional_representative for kf in key_figures)
    assert any(kf.nominated_by_municipality and kf.nominated_by_police for kf in key_figures)
    assert not any(kf.is_ally for kf in key_figures)  # the selection demo decides that
    assert all(n.cbs_code.startswith("WK0344") for n in Neighbourhood.objects.all())
    assert all(n.police_officers.exists() and n.municipal_contact for n in Neighbourhood.objects.all())
    gaps = network_map()["gaps"]
    assert gaps["stale_relationships"] and len(gaps["stale_relationships"]) < len(key_figures)

    load_demo(utrecht, staff)
    assert counts() == first


def test_demo_differs_per_municipality(people, utrecht, amersfoort):
    connection.set_tenant(utrecht)
    load_demo(utrecht, staff_of(people, "utrecht"))
    utrecht_names = set(Neighbourhood.objects.values_list("name", flat=True))
    utrecht_people = set(KeyFigure.objects.values_list("last_name", flat=True))
    connection.set_tenant(amersfoort)
    load_demo(amersfoort, staff_of(people, "amersfoort"))
    assert utrecht_names.isdisjoint(Neighbourhood.objects.values_list("name", flat=True))
    assert set(KeyFigure.objects.values_list("last_name", flat=True)) != utrecht_people
    assert all(n.cbs_code.startswith("WK0307") for n in Neighbourhood.objects.all())


@pytest.mark.parametrize("slug", ["leusden", "soest", "woerden"])
def test_demo_of_the_other_municipalities_and_the_generic_fallback(people, utrecht, slug):
    """Leusden and Soest have their own data; any other municipality gets the generic map."""
    connection.set_tenant(utrecht)
    stand_in = copy.copy(utrecht)
    stand_in.slug = slug  # same schema and CBS code, another municipality's demo content
    load_demo(stand_in, staff_of(people, "utrecht"))
    first = counts()
    assert 4 <= first["neighbourhoods"] <= 6 and 6 <= first["communities"] <= 8
    assert 12 <= first["key_figures"] <= 20
    load_demo(stand_in, staff_of(people, "utrecht"))
    assert counts() == first
