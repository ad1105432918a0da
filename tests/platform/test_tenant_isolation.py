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
