"""Provisioning municipalities for real: clone the template, add the domain, write the audit row.

Each test runs in a transaction that is rolled back (PostgreSQL DDL is transactional), so the
schemas created here vanish with it.
"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils.html import escape
from django_tenants.utils import schema_context, schema_exists, tenant_context

from agora.audit.models import AuditEvent
from agora.errors import DomainError
from agora.geography.models import PoliceDistrict, PoliceUnit
from agora.municipalities.models import Domain, Municipality
from agora.municipalities.provisioning import host_for, normalise_cbs_code, provision_municipality
from tenants.networkmap.models import Neighbourhood


@pytest.fixture
def district(db) -> PoliceDistrict:
    unit, _ = PoliceUnit.objects.get_or_create(name="Oost-Brabant")
    return PoliceDistrict.objects.get_or_create(unit=unit, name="'s-Hertogenbosch")[0]


def _counts() -> tuple[int, int, int]:
    return Municipality.objects.count(), Domain.objects.count(), AuditEvent.objects.count()


def _schemas() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.parametrize(
    ("name", "code", "slug"),
    [
        ("'s-Hertogenbosch", "GM0796", "s-hertogenbosch"),
        ("Súdwest-Fryslân", "GM1900", "sudwest-fryslan"),
        ("Nuenen, Gerwen en Nederwetten", "GM0820", "nuenen-gerwen-en-nederwetten"),
    ],
)
def test_real_dutch_names_are_provisioned_and_reachable_by_host(district, name, code, slug) -> None:
    municipality = provision_municipality(name=name, cbs_code=code, district=district)

    assert municipality.name == name
    assert municipality.slug == slug
    assert municipality.schema_name == "gm_" + slug.replace("-", "_")
    assert schema_exists(municipality.schema_name)
    assert Domain.objects.get(tenant=municipality).domain == f"{slug}.localhost"
    # The clone carries the tenant tables: write and read in the new schema.
    with tenant_context(municipality):
        Neighbourhood.objects.create(name="Centrum")
        assert Neighbourhood.objects.count() == 1

    response = Client(HTTP_HOST=host_for(slug)).get("/login/")
    assert response.status_code == 200
    assert response.wsgi_request.tenant == municipality
    assert escape(name) in response.content.decode()


def test_hostile_name_is_provisioned_under_a_safe_schema(district) -> None:
    before = _schemas()
    municipality = provision_municipality(name="x; DROP SCHEMA public", cbs_code="GM9001", district=district)
    assert municipality.schema_name == "gm_x_drop_schema_public"
    assert "public" in _schemas()
    assert _schemas() - before == {"gm_x_drop_schema_public"}


def test_two_hundred_character_name(district) -> None:
    municipality = provision_municipality(name="Oud-" + "Zuid" * 49, cbs_code="GM9002", district=district)
    assert len(municipality.name) == 200
    assert len(municipality.schema_name) <= 63
    assert schema_exists(municipality.schema_name)


@pytest.mark.parametrize("name", ["", "😀😀", "   "])
def test_unusable_name_creates_nothing(district, name) -> None:
    before = (_counts(), _schemas())
    with pytest.raises(DomainError) as caught:
        provision_municipality(name=name, cbs_code="GM9003", district=district)
    assert caught.value.code == "municipality_name_unusable"
    assert (_counts(), _schemas()) == before


@pytest.mark.parametrize(
    "code",
    [
        "", "GM12345", "XX0344", "utrecht", "GM-344",
        # GM and exactly four digits: short codes are not padded (GM12 was stored as GM0012),
        # 0000 is no municipality, the digits are ASCII and nothing trails them.
        "GM12", "gm344", "0344", "GM0000", "GM0344x", "GM 0344",
        "GM\u0660\u0663\u0664\u0664", "GM\uff10\uff13\uff14\uff14",
    ],
)  # fmt: skip
def test_invalid_cbs_code_is_a_clear_error(district, code) -> None:
    before = (_counts(), _schemas())
    with pytest.raises(DomainError) as caught:
        provision_municipality(name="Ergens", cbs_code=code, district=district)
    assert caught.value.code == "municipality_code_invalid"
    assert "GM0344" in caught.value.message("en") and "0000" in caught.value.message("nl")
    assert (_counts(), _schemas()) == before


def test_cbs_code_case_and_surrounding_spaces_do_not_matter() -> None:
    assert normalise_cbs_code(" gm0344 ") == "GM0344"


@pytest.mark.parametrize("code", ["GM0000", "GM12", "GM\u0660\u0663\u0664\u0664"])
def test_the_admin_refuses_what_provisioning_refuses(code) -> None:
    """Operators edit a code in the admin; the model validator holds the same rule."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        Municipality._meta.get_field("cbs_code").run_validators(code)


def test_same_cbs_code_is_refused_and_nothing_is_created(district, utrecht) -> None:
    before = (_counts(), _schemas())
    with pytest.raises(DomainError) as caught:
        provision_municipality(name="Utrecht-Bis", cbs_code="gm0344", district=district)
    assert caught.value.code == "municipality_code_taken"
    assert caught.value.status == 409
    assert "Utrecht" in caught.value.message("en")
    assert (_counts(), _schemas()) == before
    assert not schema_exists("gm_utrecht_bis")
    assert not Domain.objects.filter(domain="utrecht-bis.localhost").exists()


def test_same_slug_is_refused_and_nothing_is_created(district, utrecht) -> None:
    before = (_counts(), _schemas())
    with pytest.raises(DomainError) as caught:
        provision_municipality(name="Utrecht Stad", cbs_code="GM9004", district=district, slug="utrecht")
    assert caught.value.code == "municipality_name_taken"
    assert caught.value.status == 409
    assert (_counts(), _schemas()) == before
    assert not Municipality.objects.filter(cbs_code="GM9004").exists()


def test_an_orphan_schema_of_the_same_name_is_refused(district) -> None:
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "gm_weesp"')
    with pytest.raises(DomainError) as caught:
        provision_municipality(name="Weesp", cbs_code="GM0457", district=district)
    assert caught.value.code == "municipality_name_taken"
    assert not Municipality.objects.filter(cbs_code="GM0457").exists()


def test_failure_half_way_leaves_no_schema_row_or_domain(district, monkeypatch) -> None:
    """The clone succeeded, then the domain could not be written: everything is rolled back."""
    before = (_counts(), _schemas())

    def broken_create(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Domain.objects, "create", broken_create)
    with pytest.raises(RuntimeError):
        provision_municipality(name="Zaltbommel", cbs_code="GM0297", district=district)
    assert (_counts(), _schemas()) == before
    assert not schema_exists("gm_zaltbommel")


def test_provisioning_writes_an_audit_row(district, people) -> None:
    operator = people.stranger()
    municipality = provision_municipality(
        name="Súdwest-Fryslân", cbs_code="GM1900", district=district, acting_user=operator
    )
    event = AuditEvent.objects.get(action="municipality.provisioned", municipality=municipality)
    assert event.actor == operator
    assert event.detail == {"cbs_code": "GM1900", "schema": "gm_sudwest_fryslan"}  # codes, no free text


def test_create_municipality_command(db, capsys) -> None:
    # Short codes were padded ("796" became GM0796, "GM12" GM0012); now they are refused, clearly.
    for short in ("796", "GM12", "GM0000"):
        with pytest.raises(CommandError, match=rf"municipality_code_invalid: .*GM0344.*{short!r}"):
            call_command("create_municipality", "'s-Hertogenbosch", short, unit="Oost-Brabant", district="x")
    call_command(
        "create_municipality", "'s-Hertogenbosch", "GM0796", unit="Oost-Brabant", district="'s-Hertogenbosch"
    )
    out = capsys.readouterr().out
    assert "gm_s_hertogenbosch" in out
    assert "s-hertogenbosch.localhost" in out
    municipality = Municipality.objects.get(cbs_code="GM0796")
    assert municipality.district.unit.name == "Oost-Brabant"
    assert schema_exists("gm_s_hertogenbosch")
    assert AuditEvent.objects.filter(action="municipality.provisioned", municipality=municipality).exists()

    with pytest.raises(CommandError, match="municipality_code_taken"):
        call_command(
            "create_municipality", "Den Bosch", "GM0796", unit="Oost-Brabant", district="'s-Hertogenbosch"
        )
    with pytest.raises(CommandError, match="municipality_name_unusable"):
        call_command("create_municipality", "🏰", "GM9005", unit="Oost-Brabant", district="x")
    with schema_context("public"):
        assert not Municipality.objects.filter(cbs_code="GM9005").exists()


def test_same_name_under_another_slug_is_refused(district, utrecht) -> None:
    before = (_counts(), _schemas())
    with pytest.raises(DomainError) as caught:
        provision_municipality(name="UTRECHT", cbs_code="GM9006", district=district, slug="utrecht-2")
    assert caught.value.code == "municipality_name_exists"
    assert (_counts(), _schemas()) == before


def test_name_longer_than_the_field_is_a_clear_error(district) -> None:
    with pytest.raises(DomainError) as caught:
        provision_municipality(name="Groot-" + "a" * 280, cbs_code="GM9007", district=district)
    assert caught.value.code == "municipality_name_too_long"
    assert not Municipality.objects.filter(cbs_code="GM9007").exists()


@pytest.mark.parametrize("slug", ["www", "api", "admin"])
def test_reserved_host_labels_are_refused(district, slug) -> None:
    with pytest.raises(DomainError) as caught:
        provision_municipality(name="Wwwdorp", cbs_code="GM9008", district=district, slug=slug)
    assert caught.value.code == "municipality_slug_reserved"


def test_a_refused_command_leaves_no_police_geography_behind(db, utrecht) -> None:
    with pytest.raises(CommandError, match="municipality_code_taken"):
        call_command("create_municipality", "Utrecht-Bis", "GM0344", unit="Oost-Brabnt", district="Typo")
    with schema_context("public"):
        assert not PoliceUnit.objects.filter(name="Oost-Brabnt").exists()
        assert not PoliceDistrict.objects.filter(name="Typo").exists()


def test_links_that_leave_the_platform_carry_the_configured_scheme_and_port(settings) -> None:
    """Calls and invitations link to the site as users reach it: https on the standard port in
    production, ``agora demo``'s own http and port in the demo (a new user's calls did not open)."""
    from agora.municipalities.provisioning import link_for

    settings.AGORA_URL_SCHEME, settings.AGORA_URL_PORT = "https", ""
    assert link_for("utrecht", "/crises/7/") == f"https://utrecht.{settings.AGORA_BASE_DOMAIN}/crises/7/"
    settings.AGORA_URL_SCHEME, settings.AGORA_URL_PORT = "http", "18765"
    assert link_for("utrecht", "/crises/7/") == f"http://utrecht.{settings.AGORA_BASE_DOMAIN}:18765/crises/7/"
    assert link_for(None, "/national/") == f"http://{settings.AGORA_BASE_DOMAIN}:18765/national/"
