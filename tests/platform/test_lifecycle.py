"""Tenant lifecycle on the real server: back up, restore as a new municipality, offboard.

pg_dump and pg_restore are other processes: they see committed rows only, so these tests commit
(``transaction=True``) and clean up the schemas they made (the flush afterwards empties the public
tables, not the schemas).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import Client
from django_tenants.utils import schema_context, schema_exists, tenant_context

from agora.accounts.models import Membership, User
from agora.audit.models import AuditEvent
from agora.geography.models import PoliceDistrict, PoliceUnit
from agora.municipalities.backup import manifest_path
from agora.municipalities.models import Domain, Municipality
from agora.municipalities.provisioning import provision_municipality
from agora.municipalities.restore import feed_triggers
from agora.national.feed import FEEDS
from agora.national.readmodel import MirrorKeyFigure, MirrorNeighbourhood
from tenants.networkmap.models import ContactMoment, KeyFigure, Neighbourhood
from tenants.selection.models import Transition
from tests.conftest import TEST_MUNICIPALITIES, ensure_test_municipality
from tests.factories import (
    CommunityFactory,
    ContactMomentFactory,
    KeyFigureFactory,
    NeighbourhoodFactory,
    SelectionCaseFactory,
    TransitionFactory,
)

pytestmark = pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))


def _drop_schemas(prefix: str) -> None:
    connections.close_all()
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", [prefix + "%"])
        for (schema,) in cursor.fetchall():
            cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def tag() -> Iterator[str]:
    """A run-unique slug prefix; every schema made under it is dropped afterwards."""
    value = f"lc{uuid.uuid4().hex[:6]}"
    with schema_context("public"):
        for slug in TEST_MUNICIPALITIES:  # an earlier transactional test may have flushed them
            ensure_test_municipality(slug)
    yield value
    connection.set_schema_to_public()
    _drop_schemas(f"gm_{value}")


@pytest.fixture
def source(tag):
    """A committed municipality with a network map, a contact and a selection history."""
    unit, _ = PoliceUnit.objects.get_or_create(name="Midden-Nederland")
    district, _ = PoliceDistrict.objects.get_or_create(unit=unit, name="Heuvelrug")
    municipality = provision_municipality(
        name=f"Bron {tag}", cbs_code="GM9101", slug=f"{tag}-bron", district=district
    )
    user = User.objects.create_user(username=f"official-{tag}", password="correct horse battery staple")
    official = Membership.objects.create(user=user, municipality=municipality, role="official")
    with tenant_context(municipality):
        neighbourhood = NeighbourhoodFactory(name="Centrum", cbs_code="WK034401")
        community = CommunityFactory(name="Moskee Centrum")
        figure = KeyFigureFactory(neighbourhood=neighbourhood, communities=[community], ally=True)
        ContactMomentFactory(key_figure=figure, membership=official, note="Belde over de buurt")
        case = SelectionCaseFactory(key_figure=figure, opened_by=official.user)
        TransitionFactory(case=case, user=official.user, membership=official)
    connection.set_schema_to_public()
    return municipality


def _counts(municipality) -> dict[str, int]:
    with tenant_context(municipality):
        counts = {
            "neighbourhoods": Neighbourhood.objects.count(),
            "key_figures": KeyFigure.objects.count(),
            "contacts": ContactMoment.objects.count(),
            "transitions": Transition.objects.count(),
        }
    connection.set_schema_to_public()
    return counts


def _back_up(source, tmp_path: Path) -> Path:
    dump = tmp_path / "bron.dump"
    call_command("backup_municipality", source.slug, "--output", str(dump))
    return dump


def test_backup_writes_a_custom_format_dump_and_a_manifest(source, tmp_path, capsys) -> None:
    dump = _back_up(source, tmp_path)

    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    manifest = json.loads(manifest_path(dump).read_text())
    assert (manifest["slug"], manifest["cbs_code"], manifest["schema"]) == (
        source.slug,
        "GM9101",
        source.schema_name,
    )
    assert ["networkmap", "0001_initial"] in manifest["migrations"]
    assert [m["role"] for m in manifest["memberships"]] == ["official"]
    assert "Belde" not in manifest_path(dump).read_text()  # ids and roles only, no tenant text
    event = AuditEvent.objects.get(action="municipality.backed_up", municipality=source)
    assert event.detail["sha256"] == manifest["sha256"]


def test_restore_makes_a_new_municipality_with_the_data_and_leaves_the_original(
    source, tag, tmp_path, capsys
) -> None:
    dump = _back_up(source, tmp_path)
    before = _counts(source)

    call_command(
        "restore_municipality",
        str(dump),
        "--as",
        f"{tag}-kopie",
        "--name",
        f"Kopie {tag}",
        "--cbs-code",
        "GM9102",
    )

    output = capsys.readouterr().out
    assert "Memberships are not restored" in output
    copy = Municipality.objects.get(slug=f"{tag}-kopie")
    assert copy.schema_name == f"gm_{tag}_kopie" and copy.cbs_code == "GM9102"
    assert copy.district == source.district
    assert Domain.objects.filter(tenant=copy, domain=f"{tag}-kopie.localhost", is_primary=True).exists()
    assert _counts(copy) == before == {"neighbourhoods": 1, "key_figures": 1, "contacts": 1, "transitions": 1}
    assert _counts(source) == before
    with tenant_context(copy):
        assert Neighbourhood.objects.get().name == "Centrum"
        assert ContactMoment.objects.get().note == "Belde over de buurt"
        relinked = Transition.objects.get().membership_id
    connection.set_schema_to_public()
    # The history points at an inactive membership of the copy: the same person, no access.
    membership = Membership.objects.get(pk=relinked)
    assert (membership.municipality, membership.is_active, membership.role) == (copy, False, "official")
    assert not Membership.objects.filter(municipality=copy, is_active=True).exists()
    # The national read model: the copy's triggers and its own mirror rows; the original's intact.
    assert feed_triggers(copy.schema_name) == {feed.source for feed in FEEDS}
    assert MirrorNeighbourhood.objects.get(municipality=copy).name == "Centrum"
    assert MirrorKeyFigure.objects.filter(municipality=copy, is_ally=True).count() == 1
    assert MirrorNeighbourhood.objects.filter(municipality=source).count() == 1
    # A write in the copy feeds the copy's mirror rows, not the original's.
    with tenant_context(copy):
        Neighbourhood.objects.create(name="Oost")
    connection.set_schema_to_public()
    assert MirrorNeighbourhood.objects.filter(municipality=copy).count() == 2
    assert MirrorNeighbourhood.objects.filter(municipality=source).count() == 1
    assert AuditEvent.objects.filter(action="municipality.restored", municipality=copy).exists()


@pytest.mark.parametrize("slug_of", ["source", "copy"])
def test_restore_never_overwrites(source, tag, tmp_path, slug_of) -> None:
    dump = _back_up(source, tmp_path)
    slug = source.slug if slug_of == "source" else f"{tag}-kopie"
    if slug_of == "copy":
        call_command(
            "restore_municipality", str(dump), "--as", slug, "--name", "Eerste", "--cbs-code", "GM9103"
        )
    municipalities = Municipality.objects.count()

    with pytest.raises(CommandError, match="restore_target_exists"):
        call_command(
            "restore_municipality", str(dump), "--as", slug, "--name", "Nog een", "--cbs-code", "GM9104"
        )

    assert Municipality.objects.count() == municipalities
    assert _counts(source)["neighbourhoods"] == 1


def test_restore_refuses_a_dump_that_is_not_the_manifests(source, tag, tmp_path) -> None:
    dump = _back_up(source, tmp_path)
    with dump.open("ab") as stream:
        stream.write(b"x")

    with pytest.raises(CommandError, match="backup_unreadable"):
        call_command(
            "restore_municipality", str(dump), "--as", f"{tag}-x", "--name", "X", "--cbs-code", "GM9105"
        )

    assert not schema_exists(f"gm_{tag}_x")


@pytest.mark.parametrize("confirm", [None, "", "utrecht", "BRON"])
def test_offboarding_without_the_matching_confirm_removes_nothing(source, confirm) -> None:
    arguments = [] if confirm is None else ["--confirm", confirm]

    with pytest.raises(CommandError, match="offboard_not_confirmed"):
        call_command("offboard_municipality", source.slug, *arguments)

    assert schema_exists(source.schema_name)
    assert Municipality.objects.filter(pk=source.pk).exists()
    assert Domain.objects.filter(tenant=source).exists()
    assert Membership.objects.filter(municipality=source).exists()
    assert not AuditEvent.objects.filter(action="municipality.offboarded").exists()


def test_offboarding_an_unknown_municipality_is_a_clear_error(db) -> None:
    with pytest.raises(CommandError, match="municipality_unknown"):
        call_command("offboard_municipality", "nergens", "--confirm", "nergens")


def _mirror_rows(municipality) -> int:
    from django.apps import apps

    return sum(
        apps.get_model("national", feed.mirror.removeprefix("national_"))
        .objects.filter(municipality_id=municipality.pk)
        .count()
        for feed in FEEDS
    )


def test_offboarding_removes_the_schema_and_every_row_but_the_audit_trail(
    source, tag, tmp_path, capsys
) -> None:
    dump = _back_up(source, tmp_path)
    copy_slug = f"{tag}-kopie"
    call_command(
        "restore_municipality", str(dump), "--as", copy_slug, "--name", "Kopie", "--cbs-code", "GM9106"
    )
    copy = Municipality.objects.get(slug=copy_slug)
    host = f"{source.slug}.localhost"
    assert Client(HTTP_HOST=host).get("/login/").status_code == 200
    assert _mirror_rows(source) > 0
    schema = source.schema_name

    call_command("offboard_municipality", source.slug, "--confirm", source.slug)

    assert "offboarded" in capsys.readouterr().out
    assert not schema_exists(schema)
    assert not Municipality.objects.filter(pk=source.pk).exists()
    tombstone = Municipality.all_objects.get(pk=source.pk)
    assert tombstone.offboarded_at is not None and not schema_exists(tombstone.schema_name)
    assert not Membership.objects.filter(municipality_id=source.pk).exists()
    assert not Domain.objects.filter(tenant_id=source.pk).exists()
    assert _mirror_rows(source) == 0
    # The audit trail stays, with ids and codes only.
    actions = set(AuditEvent.objects.filter(municipality_id=source.pk).values_list("action", flat=True))
    assert {"municipality.provisioned", "municipality.backed_up", "municipality.offboarded"} <= actions
    event = AuditEvent.objects.get(action="municipality.offboarded", municipality_id=source.pk)
    assert event.detail["schema"] == schema
    assert event.detail["removed"]["accounts_membership"] == 1
    assert "Centrum" not in json.dumps(event.detail) and "official-" not in json.dumps(event.detail)
    # The host is gone: a 404, not the public front page.
    response = Client(HTTP_HOST=host).get("/login/")
    assert response.status_code == 404
    # The copy, whose history pointed at the original's membership, is untouched.
    assert _counts(copy)["transitions"] == 1
    assert _mirror_rows(copy) > 0
    assert Client(HTTP_HOST=f"{copy_slug}.localhost").get("/login/").status_code == 200


def test_an_offboarded_municipality_comes_back_from_its_backup_under_its_own_slug(
    source, tmp_path, capsys
) -> None:
    dump = _back_up(source, tmp_path)
    before = _counts(source)
    name, slug, code = source.name, source.slug, source.cbs_code
    call_command("offboard_municipality", slug, "--confirm", slug)

    call_command("restore_municipality", str(dump), "--as", slug, "--name", name, "--cbs-code", code)

    back = Municipality.objects.get(slug=slug)
    assert back.pk != source.pk and back.schema_name == f"gm_{slug.replace('-', '_')}"
    assert _counts(back) == before
    # Its memberships were removed with the offboarding: the history's come back inactive.
    assert list(Membership.objects.filter(municipality=back).values_list("is_active", flat=True)) == [False]
    assert Client(HTTP_HOST=f"{slug}.localhost").get("/login/").status_code == 200


def test_offboarding_has_no_files_or_tenant_cache_keys_to_remove() -> None:
    """If uploads or per-tenant cache keys appear, offboarding must remove them: extend it then."""
    from django.apps import apps
    from django.db.models import FileField

    assert not [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, FileField)
    ]
    assert "KEY_FUNCTION" not in settings.CACHES["default"]


def test_the_rename_touches_whole_qualifiers_only_and_never_a_row() -> None:
    from agora.municipalities.restore import CopyBlock, data_statements, rewrite_ddl

    ddl = rewrite_ddl(
        "\\restrict abc\nSET lock_timeout = 0;\nSELECT pg_catalog.set_config('search_path', '', false);\n"
        "CREATE SCHEMA gm_utrecht;\n-- Schema: gm_utrecht\n"
        "CREATE TABLE gm_utrecht.t (id bigint DEFAULT nextval('gm_utrecht.t_seq'::regclass));\n"
        "CREATE TABLE gm_utrecht_west.t (id bigint);",
        "gm_utrecht",
        "gm_kopie",
    )
    assert ddl.splitlines() == [
        "SET LOCAL lock_timeout = 0;",
        "CREATE SCHEMA gm_kopie;",
        "CREATE TABLE gm_kopie.t (id bigint DEFAULT nextval('gm_kopie.t_seq'::regclass));",
        "CREATE TABLE gm_utrecht_west.t (id bigint);",
    ]
    data = "SET x = 1;\nCOPY gm_utrecht.t (id, note) FROM stdin;\n1\tzie gm_utrecht.t\n\\.\n"
    data += "SELECT pg_catalog.setval('gm_utrecht.t_seq', 1, true);\n"
    assert list(data_statements(data, "gm_utrecht", "gm_kopie")) == [
        CopyBlock("COPY gm_kopie.t (id, note) FROM STDIN", ["1\tzie gm_utrecht.t"]),
        "SELECT pg_catalog.setval('gm_kopie.t_seq', 1, true);",
    ]


def test_the_password_travels_in_the_environment_never_on_the_command_line(monkeypatch) -> None:
    import subprocess

    from agora.municipalities import pg_client

    seen = {}

    def run(arguments, **kwargs):
        seen.update(arguments=arguments, env=kwargs["env"])
        return subprocess.CompletedProcess(arguments, 0, b"", b"")

    monkeypatch.setattr(pg_client.subprocess, "run", run)
    monkeypatch.setitem(connections["default"].settings_dict, "PASSWORD", "geheim-wachtwoord")
    pg_client.run_client("pg_dump", ["--version"])

    assert seen["env"]["PGPASSWORD"] == "geheim-wachtwoord"
    assert not any("geheim" in argument for argument in seen["arguments"])
    assert seen["arguments"][0].endswith("/pg_dump")
