"""``agora migrate``'s executor: every municipality through forked workers, failures named per schema."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django_tenants.utils import schema_context

from agora.municipalities.models import Municipality
from agora.municipalities.parallel_migration import MigrationFailed
from tests.conftest import TEST_MUNICIPALITIES, ensure_test_municipality

# The workers must see committed rows; the flush afterwards cascades (tenant tables refer to public ones).
pytestmark = pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))


@pytest.fixture
def broken_municipality(django_db_blocker):
    """A committed municipality row whose schema is missing (what a half-restored backup leaves)."""
    with schema_context("public"):
        # An earlier transactional test may have flushed the public rows: the session's four back.
        for slug in TEST_MUNICIPALITIES:
            ensure_test_municipality(slug)
        broken = Municipality.objects.create(
            name=f"Kapot {uuid.uuid4().hex[:6]}",
            cbs_code="GM9998",
            slug=f"kapot{uuid.uuid4().hex[:8]}",
            district=ensure_test_municipality("utrecht").district,
            schema_name=f"gm_missing_{uuid.uuid4().hex[:8]}",
        )
        yield broken
        connections.close_all()
        Municipality.objects.filter(pk=broken.pk).delete()
    connection.set_schema_to_public()


def test_every_schema_is_migrated_and_a_broken_one_is_named(
    broken_municipality, django_db_blocker, monkeypatch, capsys
):
    monkeypatch.setenv("AGORA_MIGRATE_WORKERS", "2")
    with django_db_blocker.unblock():
        schemas = set(
            Municipality.objects.exclude(schema_name="public").values_list("schema_name", flat=True)
        )
        with pytest.raises(MigrationFailed) as failed:
            call_command(
                "migrate_schemas", tenant=True, interactive=False, verbosity=2, executor="agora-parallel"
            )
        connections.close_all()

    assert set(failed.value.failures) == {broken_municipality.schema_name}
    printed = capsys.readouterr()
    assert f"{broken_municipality.schema_name}: FAILED" in printed.err
    healthy = schemas - {broken_municipality.schema_name}
    assert len(healthy) >= 4
    for schema in healthy:  # each went through a worker, which printed its own block of lines
        assert f"[agora-parallel:{schema}] === Starting migration" in printed.out
        assert f"[agora-parallel:{schema}]   No migrations to apply." in printed.out
