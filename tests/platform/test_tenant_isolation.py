"""Rows written in one municipality are invisible in another: ORM and HTTP."""

from __future__ import annotations

from django.db import connection
from django_tenants.utils import tenant_context

from tenants.networkmap.models import Neighbourhood


def test_orm_rows_stay_in_their_schema(utrecht, amersfoort):
    with tenant_context(utrecht):
        Neighbourhood.objects.create(name="Kanaleneiland")
    with tenant_context(amersfoort):
        assert not Neighbourhood.objects.filter(name="Kanaleneiland").exists()
        Neighbourhood.objects.create(name="Kanaleneiland")  # same name, other schema: no clash
    with tenant_context(utrecht):
        assert Neighbourhood.objects.filter(name="Kanaleneiland").count() == 1
    connection.set_schema_to_public()


def test_http_uses_the_host_tenant(web, people, utrecht, amersfoort):
    official = people.official("utrecht")
    response = web(official, "utrecht").get("/")
    assert response.status_code == 200
    assert "Utrecht" in response.content.decode()
    # The same session on Amersfoort's host grants nothing.
    response = web(official, "amersfoort").get("/")
    assert response.status_code == 403


def test_http_rows_written_in_one_municipality_are_invisible_in_another(api, people, utrecht, amersfoort):
    with tenant_context(utrecht):
        neighbourhood = Neighbourhood.objects.create(name="Lombok")
    connection.set_schema_to_public()

    in_utrecht = api(people.official("utrecht"), "utrecht").get("/api/v1/neighbourhoods/").json()
    assert "Lombok" in [row["name"] for row in in_utrecht["results"]]

    amersfoort_client = api(people.official("amersfoort"), "amersfoort")
    in_amersfoort = amersfoort_client.get("/api/v1/neighbourhoods/").json()
    assert "Lombok" not in [row["name"] for row in in_amersfoort["results"]]
    response = amersfoort_client.get(f"/api/v1/neighbourhoods/{neighbourhood.pk}/")
    assert response.status_code == 404 or "Lombok" not in response.content.decode()
